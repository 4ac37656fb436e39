"""Floor 1, the facts everything else derives from: the workbook contract (sheet and
column names, declarations), the typed model, problems and their registry, the law's
thresholds, French wording rules. Imports nothing of the package above it."""
