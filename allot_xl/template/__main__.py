"""`python -m allot_xl.template`: regenerate the blank template and the bundled example."""

from . import main

main()
