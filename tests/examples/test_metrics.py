"""Confusion matrix, IoU and mIoU on hand-made inputs."""

import math

import pytest
import torch

from examples.metrics import ConfusionMatrix, all_background_miou, iou_per_class, mean_iou


def test_confusion_matrix_counts_pixels_by_truth_and_prediction() -> None:
    target = torch.tensor([[0, 0, 1, 1], [2, 2, 255, 1]])
    prediction = torch.tensor([[0, 1, 1, 1], [2, 0, 2, 2]])
    matrix = ConfusionMatrix(3)
    matrix.update(prediction, target)
    expected = torch.tensor([[1, 1, 0], [0, 2, 1], [1, 0, 1]])
    assert torch.equal(matrix.matrix, expected)
    matrix.update(prediction, target)
    assert torch.equal(matrix.matrix, 2 * expected)


def test_iou_and_miou_of_a_hand_made_matrix() -> None:
    # rows: truth, columns: prediction
    matrix = torch.tensor([[50, 10, 0], [5, 30, 5], [0, 0, 0]])
    iou = iou_per_class(matrix)
    assert iou[0].item() == pytest.approx(50 / (50 + 10 + 5))
    assert iou[1].item() == pytest.approx(30 / (30 + 10 + 5 + 5))
    # class 2 is predicted 5 times but never present: IoU 0, and it counts in the mean
    assert iou[2].item() == 0.0
    assert mean_iou(matrix) == pytest.approx((50 / 65 + 30 / 50 + 0) / 3)


def test_absent_class_is_left_out_of_the_mean() -> None:
    matrix = torch.tensor([[4, 0, 0], [0, 2, 0], [0, 0, 0]])
    iou = iou_per_class(matrix)
    assert math.isnan(iou[2].item())
    assert mean_iou(matrix) == 1.0
    assert math.isnan(mean_iou(torch.zeros(3, 3, dtype=torch.int64)))


def test_metrics_of_the_accumulator() -> None:
    matrix = ConfusionMatrix(2, ignore_index=7)
    matrix.update(torch.tensor([0, 1, 1, 0]), torch.tensor([0, 1, 0, 7]))
    assert matrix.pixel_accuracy() == pytest.approx(2 / 3)
    assert matrix.miou() == pytest.approx((1 / 2 + 1 / 2) / 2)
    matrix.all_reduce()  # no process group: unchanged
    assert int(matrix.matrix.sum()) == 3


def test_shape_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="prediction shape"):
        ConfusionMatrix(2).update(torch.zeros(2, 3), torch.zeros(3, 2))


def test_all_background_predictor_of_a_hand_made_matrix() -> None:
    matrix = torch.tensor([[50, 10, 0], [5, 30, 5], [0, 0, 0]])
    # background IoU 60 / 100 (every labelled pixel predicted background), class 1 IoU 0,
    # class 2 absent from the labels (and then never predicted): left out
    assert all_background_miou(matrix) == pytest.approx((60 / 100 + 0) / 2)
    assert all_background_miou(torch.diag(torch.tensor([6, 2, 2]))) == pytest.approx(0.6 / 3)
