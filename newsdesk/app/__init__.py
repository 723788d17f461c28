"""The application: the CLI, the stage jobs, the local servers' orchestration, status."""
