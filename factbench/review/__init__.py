"""Stage 5, review: the pure review session, HTML rendering, the ipywidgets panel and the IPython extension.

The only stage that imports ipywidgets or anywidget. May import every stage below it and storage.
"""
