"""Floor 6, where grids come from and outputs go: the xlwings Book (`book`) and `.xlsx`
files (`xlsx`: one package opened once, read fast, output sheets spliced, atomic save)."""
