"""The static catalogue site of a release (`clusterdata site`): see `render.build_site`."""
