"""Reading reference-manager and database exports into plain records (`formats` tells which reader a file
needs, from its content; `ris`, `tagged`, `bibtex` and `tables` read the formats; `cleaning` turns a raw
draft into a checked record). Writing study files from records is `study_files`; the commands are in
`livingreview.importer`."""
