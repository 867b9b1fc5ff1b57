"""The CLI's commands, one module per subject; ``monitor.cli`` registers them."""
