"""`.xlsx` files: the OPC package (`package`, `opc`), reading (`read`, `pure`, `rich`,
`cells`, `formats`), writing (`write`, `splice`, `sheet`, `styles`, `charts`), the e-mail
copy (`export`) and the real format of a file (`file_kind`)."""
