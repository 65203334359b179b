"""One module per command; see `clusterdata.cli.COMMANDS`."""
