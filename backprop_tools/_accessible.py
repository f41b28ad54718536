"""Accessible names for the explorers' sliders, and a live region for their readouts.

ipywidgets 8 draws a slider as a noUiSlider handle (role="slider") plus an editable number
readout, and ties neither to its description: a screen reader says only "slider". A dropdown's
<select> and a checkbox's <input> (lesson 3's choice of factors) get the same names. No widget
attribute reaches them, so each explorer carries a hidden Output widget holding a few lines of
JavaScript. JupyterLab runs it (an Output widget's outputs are trusted) when the explorer is
drawn; it finds its own explorer in the page, names every handle and readout from the sliders'
CSS classes, and marks the readout text a polite live region, so changes are announced. A
MutationObserver repeats this when ipywidgets rebuilds a slider. Where JavaScript outputs do not
run, the explorer works as before, only without the names.
"""
import json

import ipywidgets as widgets
from IPython.display import Javascript

ROOT_CLASS = "bp-explorer"        # on the explorer's outermost box
READOUT_CLASS = "bp-readout"      # on the HTML widget whose text changes with the sliders

_SCRIPT = """(() => {
  const names = %s;
  const apply = (root) => {
    for (const [cls, name] of Object.entries(names)) {
      for (const slider of root.querySelectorAll('.' + cls)) {
        const handle = slider.querySelector('.noUi-handle');
        if (handle && handle.getAttribute('aria-label') !== name) {
          handle.setAttribute('aria-label', name);
        }
        for (const input of slider.querySelectorAll('select, input[type="checkbox"]')) {
          if (input.getAttribute('aria-label') !== name) input.setAttribute('aria-label', name);
        }
        const box = slider.querySelector('.widget-readout');
        if (box && box.getAttribute('aria-label') !== name + ', typed value') {
          box.setAttribute('role', 'textbox');
          box.setAttribute('aria-label', name + ', typed value');
        }
      }
    }
    for (const text of root.querySelectorAll('.%s .widget-html-content')) {
      if (text.getAttribute('aria-live') !== 'polite') {
        text.setAttribute('aria-live', 'polite');
      }
    }
  };
  // The output may be drawn before its explorer is in the page: look again for a few seconds.
  // `element` is the output's own node in JupyterLab; a front end without it gets no names.
  if (typeof element === 'undefined' || !element.closest) return;
  const start = (tries) => {
    const root = element.closest('.%s');
    if (!root) {
      if (tries > 0) setTimeout(() => start(tries - 1), 100);
      return;
    }
    apply(root);
    new MutationObserver(() => apply(root)).observe(root, {childList: true, subtree: true});
  };
  start(100);
})();"""


def slider_class(key):
    """The CSS class that marks the slider `key` ("x0", "learning_rate") for the script."""
    return f"bp-slider-{key}"


def naming_script(names):
    """The JavaScript that names the sliders: names maps slider key -> accessible name."""
    classes = {slider_class(key): name for key, name in names.items()}
    return _SCRIPT % (json.dumps(classes, ensure_ascii=False), READOUT_CLASS, ROOT_CLASS)


def naming_widget(names):
    """A hidden Output widget that runs naming_script(names) wherever the explorer is drawn."""
    output = widgets.Output(layout=widgets.Layout(display="none"))
    output.append_display_data(Javascript(naming_script(names)))
    return output
