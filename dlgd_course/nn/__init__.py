"""Building blocks shared by every theme: the Lightning base, the normaliser, batched inference
and the networks several themes use (U-Net, ConvLSTM, the 4DVarNet solver) and the Fourier neural
operator of the architectures primer."""

from dlgd_course.nn.fno import FNO1d, SpectralConv1d
from dlgd_course.nn.module import CourseModule
from dlgd_course.nn.networks import ConvLSTMCell, ConvLSTMSolver, UNet, learned_gradient_descent
from dlgd_course.nn.normalise import Normaliser
from dlgd_course.nn.predict import predict_in_batches

__all__ = [
    "ConvLSTMCell",
    "ConvLSTMSolver",
    "CourseModule",
    "FNO1d",
    "Normaliser",
    "SpectralConv1d",
    "UNet",
    "learned_gradient_descent",
    "predict_in_batches",
]
