"""Floor 3, reading the input sheets: raw grids and tables (`grid`), the declarations'
backend (`checks`), one reader per sheet (`needs` for Besoins, `validation` for Zones,
Règles, Paramètres), the Scénarios sheet (`scenarios`), and `read` that assembles them
into typed `Inputs`."""
