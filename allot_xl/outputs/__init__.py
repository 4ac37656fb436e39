"""Floor 4, the declarative description of every output sheet (tables, number formats,
widths, charts, print setup) and every French word the outputs show; both writers (`io/`)
render it."""
