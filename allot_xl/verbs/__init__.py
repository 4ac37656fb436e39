"""Floor 5, route-neutral verbs on grids: the one pipeline (`pipeline`: read -> engine ->
outputs), freshness of outputs (`fresh`), scenarios (`scenarios`: compare, propose,
apply). Every route (file, Book, Lite, server) calls these."""
