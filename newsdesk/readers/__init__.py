"""The input engine: finds inputs and reads every format into raw records, hostile-safe."""
