"""No custom functions: allot_xl works through ribbon buttons (see custom_scripts)."""
