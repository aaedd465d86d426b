"""The editing workbench served by `serve`: forms over the content files, so staff edit and
add records without writing YAML (/_edit/, /_edit/<path>, /_new/<kind>)."""
