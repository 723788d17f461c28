"""Publishing: builds a version from the workspace, checks it, writes it, its card, the Hub."""
