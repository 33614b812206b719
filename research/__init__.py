"""The research room: reliability and validity statistics, impact snapshots, plots, the research report
and the de-identified export, their commands and the `research` queue's tasks. It needs the optional
`research` dependencies (pip install '.[research]'); web processes never import it and read what it
stores (curation.models.ResearchResult, the reliability and impact snapshots)."""
