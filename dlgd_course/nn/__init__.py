"""Building blocks shared by every theme: the Lightning base, batched inference (and the networks)."""

from dlgd_course.nn.module import CourseModule
from dlgd_course.nn.predict import predict_in_batches

__all__ = ["CourseModule", "predict_in_batches"]
