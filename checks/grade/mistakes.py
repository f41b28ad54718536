"""The kinds of mistake the checks recognise (`Result.diagnosis`), in the words a learner reads.

The class report counts mistakes by kind; a check's own message names numbers and shapes of one
case, so the report uses one sentence per kind instead, in the checks' vocabulary.
"""
from __future__ import annotations

WORDS = {
    # shapes and axes
    "transposed": "transposed: the right numbers, in the shape of the transpose",
    "wrong_shape": "the wrong shape",
    "missing_keepdims": "the right numbers without `keepdims` (an axis dropped by np.sum)",
    "extra_axis": "the right numbers with an extra axis of length 1",
    "summed_all_axes": "summed over every axis: one number instead of an array",
    "wrong_axis": "summed over the wrong axis",
    "indexed_sample": "indexed one sample (`dvalues[0]`) of what is already one sample",
    "scalar_answer": "one number where an array is expected",
    "not_a_number": "an array where one number is expected",
    # values
    "wrong_values": "the right shape, but wrong values (no known kind of mistake)",
    "wrong_sign": "every value with the wrong sign",
    "mean_instead_of_sum": "averaged over the batch instead of summed",
    "missing_batch_mean": "summed over the batch where the loss takes the mean",
    "sum_instead_of_mean": "a sum where the mean over the batch is asked for",
    "factor_of_two": "off by a factor of two",
    "missing_half": "twice the loss: the 1/2 is missing",
    "upstream_ignored": "the incoming gradient (dvalues) ignored",
    "upstream_included": "the mask already multiplied by dvalues",
    "roles_swapped": "the roles of two inputs swapped (x and w)",
    "wrong_order": "the results returned in the wrong order",
    "learning_rate_ignored": "the learning rate ignored (a step of the whole gradient, or a rate of its own)",
    "wrong_scale": "a step of the wrong size: not learning_rate times the gradient",
    "swapped_gradients": "a parameter stepped by the other parameter's gradient",
    "bias_missing": "the bias left out",
    "forward_output": "the forward pass (ReLU's output) instead of its gradient",
    "gradient_wrt_probs": "the gradient with respect to the probabilities, not the logits",
    "labels_ignored": "the labels ignored",
    "onehot_wrong": "the true class subtracted in the wrong place",
    "mean_over_classes": "divided by the number of classes instead of the number of samples",
    "not_divided_by_h": "the change itself, not divided by the nudge h",
    "one_sided": "one-sided differences instead of central ones",
    "not_numerical": "the derived gradient (or a step of 0.1 or more) where central differences with h = 1e-5 were asked for",
    "h_ignored": "the given step h not used",
    "rows_not_elements": "whole rows nudged instead of single elements",
    "relu_missing": "the loss taken before ReLU",
    "loss_before_step": "the loss of the parameters before the step",
    # ReLU
    "mask_on_wrong_array": "ReLU's mask taken from dvalues instead of the inputs",
    "mask_missing": "ReLU's derivative never applied",
    "inverted_mask": "ReLU's mask inverted",
    "relu_at_zero": "the gradient let through where z is exactly 0",
    "wrong_at_zero": "a nonzero gradient where z is exactly 0 (ReLU's derivative there is 0)",
    "relu_derivative_missing": "a nonzero gradient where ReLU is off",
    "not_exact_zero": "not exactly 0 where ReLU is off",
    "integer_dtype": "fractions lost in an integer array",
    # inputs and updates
    "modified_input": "an input modified in place (`dvalues` or another argument)",
    "modified_weights": "the layer's weights modified by the backward pass",
    "not_in_place": "the caller's weights not updated (a new array instead of an in-place update)",
    "biases_not_updated": "the caller's biases not updated",
    "weights_not_updated": "the layer's weights not updated",
    "stale_parameters": "forward used the parameters the layer was created with, not its current ones",
    # classes
    "missing_attribute": "an attribute the book's API needs is missing",
    "wrong_attribute_name": "a result stored under another name than the book's",
    "missing_method": "a method the book's API needs is missing",
    "biases_not_zero": "biases not starting at zero",
    "symmetric_weights": "every weight starting equal",
    "no_default_learning_rate": "no default learning rate",
    "wrong_default_learning_rate": "the wrong default learning rate",
    # what came back
    "nothing_returned": "nothing returned",
    "wrong_return": "the wrong number or kind of results returned",
    "placeholder": "the placeholder `...` left in",
    "not_numbers": "something that is not numbers",
    "not_finite": "NaN or infinite values",
    "wrong_type": "not a function or class",
    "wrong_signature": "the wrong arguments",
    # other arrays of the notebook
    "aliased": "another name for the notebook's array (no copy), so changing one changes both",
    "scaled": "every value off by the same factor",
    # lessons 5-8's steps, losses and nudges
    "no_step": "no step taken: the new array equals the old one",
    "original_modified": "the step taken in place: the original weights (or biases) changed too",
    "two_steps": "two steps taken instead of one (a step run twice)",
    "update_twice": "each layer updated twice with the same gradients (update_params run twice)",
    "half_update": "only one of weights and biases updated before the loss was measured again",
    "one_layer_updated": "only one of the network's layers updated",
    "wrong_learning_rate": "a step with another learning rate than the lesson's",
    "wrong_parameter_name": "__init__'s parameter not named as the lesson calls it (`learning_rate`)",
    "relu_skipped": "the ReLU skipped in the forward pass",
    "relu_backward_skipped": "ReLU's backward pass skipped",
    "targets_ignored": "the outputs squared without the targets",
    "not_squared": "the errors (or outputs) added up without squaring them",
    "wrong_value": "a number that is not the right one (no known kind of mistake)",
    "wrong_function": "the slope of another function (the f of the cells above)",
    "aliasing": "a second name for x instead of a copy (`x_plus = x`), so the nudges changed x itself",
    # lesson 9's Value engine
    "assignment_not_accumulation": "a gradient assigned (`=`) where it must accumulate (`+=`): a node used twice loses a path",
    "wrong_local_derivative": "the wrong local derivative in an operation's `_backward`",
    "chain_missing": "`out.grad` left out of a `_backward` (the chain rule's upstream factor)",
    "relu_wrong_node": "ReLU's derivative taken from the wrong node or wrong at 0",
    "no_gradient": "an operation's `_backward` that adds nothing to an input's grad",
    "missing_backward": "an operation without its `_backward`",
    "graph_not_built": "backward() not checked: no graph could be built with the class (neither Value(data, parents, op) nor its operations)",
    "output_grad_not_one": "the output's grad not set to 1 before going backwards",
    "wrong_visit_order": "nodes visited in the wrong order (a node before everything that uses it)",
    "visited_twice": "a node's `_backward` run more than once",
    "wrong_forward": "the forward value (`data`) of an operation is wrong",
    # the code did not finish
    "raised": "the code raised an error",
    "timeout": "the code ran past the time limit",
    # grading
    "used_course_helpers": "called the course's own numerical-gradient helpers (scores 0)",
    "internal_error": "the checker itself failed (not the learner's mistake)",
    "kernel_unusable": "the notebook left its kernel unable to be checked",
}

NO_KIND = "a mistake of no recognised kind"


def describe(kind: str | None) -> str:
    """The learner-facing words for a diagnosis (`None`: no kind recognised)."""
    if not kind:
        return NO_KIND
    return WORDS.get(kind, kind.replace("_", " "))
