"""The common shape of every interactive picture: sliders, a live readout and a PNG figure.

A subclass supplies three pure steps; this class wires them to the sliders:

    compute(settings) -> values     the numbers, from the slider settings (a dict name -> value)
    draw(values)                    updates the figure's existing artists (set_data / set_text)
    readout(values) -> str          HTML for the text beside the picture
    alt(values) -> str              what the picture shows now, in words (its alt text)

and a name for each slider that says what it controls ("input x₀"), read out by screen readers.

Tests and benchmarks drive the object without a browser: set `explorer.sliders[name].value`
(or `explorer.set(name=value, ...)` for several at once) and read `explorer.values`,
`explorer.figure`, `explorer.png` and `explorer.alt_text`.

The picture is an HTML <img> with alt text (a widgets.Image cannot carry one); the readout is a
polite live region, and the sliders get their names from a small script (see _accessible).
"""
import ipywidgets as widgets

from ._accessible import READOUT_CLASS, ROOT_CLASS, naming_widget, slider_class
from ._render import canvas_png, figure_png
from .figure_alt import png_html


class Explorer:
    """Base class; see the module docstring. Subclasses set `name` (used in the text repr)."""

    name = "Explorer"

    def __init__(self, sliders, figure, names, controls_width="330px", stacked=False):
        """sliders: dict key -> ipywidgets slider; figure: a Figure the subclass draws on;
        names: dict key -> what that slider controls, in words ("input x₀", "learning rate"),
        holding the slider's visible description (WCAG's "label in name": speech input works).

        stacked: sliders in a row above the picture (for wide figures) instead of beside it.
        """
        self.sliders = dict(sliders)
        missing = set(self.sliders) - set(names)
        if missing:
            raise ValueError(f"sliders without an accessible name: {sorted(missing)}")
        self.names = {key: names[key] for key in self.sliders}
        for key, slider in self.sliders.items():
            if slider.description not in self.names[key]:
                raise ValueError(f"the name {self.names[key]!r} must hold the label {slider.description!r}")
        self.figure = figure
        self.values = {}
        self.png = b""
        self.alt_text = ""
        self.updates = 0          # how many redraws so far, so a test can see one happened
        self._holding = False
        self._backgrounds = {}     # static key -> saved picture of everything not dynamic
        for key, slider in self.sliders.items():
            slider.add_class(slider_class(key))
        self.readout_html = widgets.HTML()
        self.readout_html.add_class(READOUT_CLASS)
        # Shown at the figure's own pixel width: stretched to fill a wide output it would blur.
        self.width = round(figure.get_figwidth() * figure.dpi)
        self.image = widgets.HTML(layout=widgets.Layout(max_width="100%"))
        namer = naming_widget(self.names)
        if stacked:
            self.widget = widgets.VBox([widgets.HBox(list(self.sliders.values())),
                                        self.readout_html, self.image, namer])
        else:
            controls = widgets.VBox(list(self.sliders.values()) + [self.readout_html],
                                    layout=widgets.Layout(width=controls_width))
            self.widget = widgets.HBox([controls, self.image, namer])
        self.widget.add_class(ROOT_CLASS)
        for slider in self.sliders.values():
            slider.observe(self._on_change, names="value")
        self.update()

    # -- what a subclass provides ------------------------------------------------------------
    def compute(self, settings):
        raise NotImplementedError

    def draw(self, values):
        raise NotImplementedError

    def readout(self, values):
        return ""

    def alt(self, values):
        """The picture in words, from the current values (its alt text)."""
        raise NotImplementedError

    def summary(self, values):
        """A short, deterministic text for the repr (no ids, no addresses)."""
        return ""

    # Optional, for speed (blitting): the artists `draw` changes, in drawing order, and a key
    # for everything else. A redraw pastes a saved picture of the rest for that key and draws
    # only these artists; a key not seen before (say, a new axis range) gets a full draw, which
    # is saved. Keys must take few values: one picture is kept per key.
    def dynamic_artists(self):
        return []

    def static_key(self, values):
        return None

    # -- wiring -----------------------------------------------------------------------------
    def settings(self):
        return {name: slider.value for name, slider in self.sliders.items()}

    def update(self):
        """Recompute the numbers and redraw the readout and the figure (one slider move)."""
        self.values = self.compute(self.settings())
        self.draw(self.values)
        self.readout_html.value = self.readout(self.values)
        self.png = self._render()
        self.alt_text = self.alt(self.values)
        self.image.value = png_html(self.png, self.alt_text, width=self.width)
        self.updates += 1

    def _render(self):
        dynamic = self.dynamic_artists()
        if not dynamic:
            return figure_png(self.figure)
        canvas = self.figure.canvas
        key = self.static_key(self.values)
        if key not in self._backgrounds:
            for artist in dynamic:      # left out of the saved background, drawn on top below
                artist.set_animated(True)
            try:
                canvas.draw()
            finally:
                for artist in dynamic:
                    artist.set_animated(False)
            self._backgrounds[key] = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._backgrounds[key])
        for artist in dynamic:
            self.figure.draw_artist(artist)
        return canvas_png(canvas)

    def set(self, **settings):
        """Move several sliders at once with a single redraw."""
        unknown = set(settings) - set(self.sliders)
        if unknown:
            raise KeyError(f"no slider named {sorted(unknown)}; sliders: {sorted(self.sliders)}")
        self._holding = True
        try:
            for name, value in settings.items():
                self.sliders[name].value = value
        finally:
            self._holding = False
        self.update()
        return self

    def _on_change(self, change):
        if not self._holding:
            self.update()

    # -- display ----------------------------------------------------------------------------
    def __repr__(self):
        return f"{self.name}({self.summary(self.values)})"

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        # The widget's own bundle carries the model id (random per run) in the widget-view
        # entry, which nbval skips; its text/plain is replaced by our stable repr.
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude, **kwargs)
        bundle = dict(bundle or {})
        bundle["text/plain"] = repr(self)
        return bundle
