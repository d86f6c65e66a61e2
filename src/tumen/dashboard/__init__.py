"""The interactive dashboard (`tumen serve`): the map, the charts and what-if runs.

Dash is imported only by the modules of this package, never by `import tumen`; start it
with `tumen.dashboard.app.serve()`, or build it for tests with `create_app()`.
"""
