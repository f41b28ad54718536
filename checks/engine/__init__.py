"""The engine every lesson's checks run on.

exercise    @exercise: a check body becomes the learner's check; hints, solutions, listeners
catalog     every exercise of the course, in lesson order
learner     calling the learner's code safely (copies, a time limit, their own error line)
answers     taking apart what a learner's function returned
objects     working with a learner's class: building it, calling its methods
diagnose    comparing arrays and naming a known mistake
numeric     float64 conversion, closeness, central differences
reference   the course's own forward and backward passes (what a right answer computes)
shapes      a product whose factors do not fit, told as the transposed factor it is
estimate    a right answer that is a numerical estimate, not a derivation
solutions   an exercise's answer from its solution notebook (markers: the marker reader;
            edition: whether this copy's solutions are released)
name_help   a cell run before its exercise: which cell to run, not a bare NameError
result      what a check returns (the lowest layer, with verdict: what a check raises)

The map of the whole package: docs/ARCHITECTURE.md.
"""
