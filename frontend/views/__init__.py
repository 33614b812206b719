"""Server-rendered pages, one module per audience: learner (public pages, library), expert
(application, assignments, review form), editor (queues, rounds, harvest health) and research."""
