// plotly.js is 4.8 MB: on a page that will draw charts, start its download and parse while Blazor is still
// connecting, through Plotly.Blazor's own loader (same module, element id and URL), so the charts find it
// ready and it is never loaded twice. Should a future Plotly.Blazor name them differently, the charts
// simply load it themselves as before.
if (document.querySelector('[data-plotly]')) {
    import('../_content/Plotly.Blazor/plotly-interop-7.2.0.js')
        .then(m => m.importScript('plotly-import', './_content/Plotly.Blazor/plotly-3.7.0.min.js'))
        .catch(() => { });
}
