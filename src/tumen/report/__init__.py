"""Report of one run: Plotly figures (`figures`) and a self-contained HTML page (`html`).

Nothing is imported here so that `import tumen.report` stays cheap: plotly loads only
when `tumen.report.figures` or `tumen.report.html` is imported.
"""
