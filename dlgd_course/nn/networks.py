"""The networks several themes share: a two-level U-Net, a convolutional LSTM cell and the
learned gradient solver of 4DVarNet (with its iteration loop).

* :class:`UNet` (Ronneberger, Fischer & Brox 2015, MICCAI): two 2 × 2 max-pooling levels
  with skip connections, ``(B, in_channels, H, W) → (B, out_channels, H, W)``, H and W
  multiples of 4. The interpolation theme's masked U-Net and the nowcasting U-Net derive
  from it.
* :class:`ConvLSTMCell` (Shi et al. 2015, NeurIPS): an LSTM whose gates are convolutions
  of ``[input, h]``, over one spatial dimension (time series, ``(B, C, T)``) or two
  (images, ``(B, C, H, W)``).
* :class:`ConvLSTMSolver` and :func:`learned_gradient_descent`: the trainable solver of
  4DVarNet (Fablet et al. 2021, JAMES 13, e2021MS002572; Beauchamp et al. 2023, GMD 16,
  2119-2147). A variational cost ``U(x)`` is minimised by ``K`` learned steps

      x_{k+1} = x_k - Γ(∇U(x_k), h_k),

  where Γ is a ConvLSTM cell fed with the gradient (computed by autograd), followed by a
  1 × 1 convolution back to the state's channels. In training the gradient stays in the
  autograd graph (double back-propagation), so that the cost's own networks (a learned
  prior) and Γ are trained end to end on the reconstruction error.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from dlgd_course.own_work import guard_answer

__all__ = ["ConvLSTMCell", "ConvLSTMSolver", "UNet", "double_conv", "learned_gradient_descent"]

_CONVOLUTIONS = {1: nn.Conv1d, 2: nn.Conv2d}


def _spatial_convolution(spatial_dims: int) -> type[nn.Module]:
    if spatial_dims not in _CONVOLUTIONS:
        raise ValueError(f"spatial_dims must be 1 or 2, got {spatial_dims!r}")
    return _CONVOLUTIONS[spatial_dims]


def double_conv(
    c_in: int, c_out: int, batch_norm: bool = False, activation: Callable[[], nn.Module] = nn.GELU
) -> nn.Sequential:
    """Two 3 × 3 convolutions (same padding), each followed by (batch normalisation and) the
    activation: ``(B, c_in, H, W) → (B, c_out, H, W)``."""
    layers: list[nn.Module] = []
    for channels_in in (c_in, c_out):
        layers.append(nn.Conv2d(channels_in, c_out, 3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(c_out))
        layers.append(activation())
    return nn.Sequential(*layers)


class UNet(nn.Module):
    """Two-level U-Net: ``(B, in_channels, H, W) → (B, out_channels, H, W)``, H, W multiples of 4.

    ``width`` channels at full resolution, doubled at each of the two coarser levels
    (``enc1 → pool → enc2 → pool → bottom → up2, cat(e2) → dec2 → up1, cat(e1) → dec1 →
    head``); ``head`` is a 1 × 1 convolution with no activation after it. ``batch_norm``
    adds batch normalisation after every 3 × 3 convolution; ``activation`` builds the
    non-linearity (e.g. ``nn.GELU``, ``nn.ReLU``).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        width: int = 16,
        batch_norm: bool = False,
        activation: Callable[[], nn.Module] = nn.GELU,
    ) -> None:
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels), ("width", width)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        c = width
        self.enc1 = double_conv(in_channels, c, batch_norm, activation)
        self.enc2 = double_conv(c, 2 * c, batch_norm, activation)
        self.bottom = double_conv(2 * c, 4 * c, batch_norm, activation)
        self.up2 = nn.ConvTranspose2d(4 * c, 2 * c, 2, stride=2)
        self.dec2 = double_conv(4 * c, 2 * c, batch_norm, activation)
        self.up1 = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.dec1 = double_conv(2 * c, c, batch_norm, activation)
        self.head = nn.Conv2d(c, out_channels, 1)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x: Tensor) -> Tensor:
        """``(B, in_channels, H, W) → (B, out_channels, H, W)``."""
        guard_answer()
        if x.ndim != 4:
            raise ValueError(f"the U-Net takes (batch, channels, H, W), got shape {tuple(x.shape)}")
        if x.shape[-1] % 4 or x.shape[-2] % 4:
            raise ValueError(f"H and W must be multiples of 4, got {tuple(x.shape[-2:])}")
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        b = self.bottom(self.pool(e2))
        d2 = self.dec2(torch.cat([self.up2(b), e2], dim=1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], dim=1))
        return self.head(d1)


class ConvLSTMCell(nn.Module):
    """Convolutional LSTM cell (Shi et al. 2015) over 1 or 2 spatial dimensions.

    With ``[i, f, o, g]`` = conv(``[x, h]``) (``kernel_size``, same padding)::

        c' = σ(f) c + σ(i) tanh(g),   h' = σ(o) tanh(c').

    ``x`` is ``(B, in_channels, *space)``, ``h`` and ``c`` ``(B, hidden_channels, *space)``;
    a ``state`` of ``None`` starts from zeros.
    """

    def __init__(
        self, in_channels: int, hidden_channels: int, kernel_size: int = 3, spatial_dims: int = 2
    ) -> None:
        super().__init__()
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be a positive odd int, got {kernel_size!r}")
        convolution = _spatial_convolution(spatial_dims)
        self.hidden_channels, self.spatial_dims = hidden_channels, spatial_dims
        self.gates = convolution(
            in_channels + hidden_channels, 4 * hidden_channels, kernel_size, padding=kernel_size // 2
        )

    def forward(self, x: Tensor, state: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        """One step: ``(x, (h, c)) → (h', c')``."""
        guard_answer()
        if x.ndim != 2 + self.spatial_dims:
            raise ValueError(
                f"a {self.spatial_dims}-D ConvLSTM cell takes (batch, channels, "
                f"{self.spatial_dims} spatial dims), got shape {tuple(x.shape)}"
            )
        if state is None:
            zeros = x.new_zeros(x.shape[0], self.hidden_channels, *x.shape[2:])
            state = (zeros, zeros)
        h, c = state
        i, f, o, g = torch.chunk(self.gates(torch.cat([x, h], dim=1)), 4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, c


class ConvLSTMSolver(nn.Module):
    """The learned solver Γ of 4DVarNet: ``(∇U, state) → (step, state')``.

    A :class:`ConvLSTMCell` reads the gradient ``(B, channels, *space)`` and a 1 × 1
    convolution (``out``) maps its hidden state to the step, of the gradient's shape. With
    ``normalise_gradient`` the gradient is first divided by its root mean square over each
    sample (the cost's scale then does not matter). ``state`` is ``None`` at the first step.
    """

    def __init__(
        self,
        channels: int,
        hidden_channels: int,
        kernel_size: int = 3,
        spatial_dims: int = 2,
        normalise_gradient: bool = False,
    ) -> None:
        super().__init__()
        self.cell = ConvLSTMCell(channels, hidden_channels, kernel_size, spatial_dims)
        self.out = _spatial_convolution(spatial_dims)(hidden_channels, channels, 1)
        self.normalise_gradient = normalise_gradient

    def forward(
        self, gradient: Tensor, state: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """``(gradient, state) → (step, state')``, ``step`` shaped like ``gradient``."""
        if self.normalise_gradient:
            space = tuple(range(1, gradient.ndim))
            gradient = gradient / gradient.pow(2).mean(dim=space, keepdim=True).add(1e-12).sqrt()
        h, c = self.cell(gradient, state)
        return self.out(h), (h, c)


def learned_gradient_descent(
    cost: Callable[[Tensor], Tensor],
    x0: Tensor,
    solver: Callable[[Tensor, object], tuple[Tensor, object]],
    n_iterations: int,
    create_graph: bool,
) -> Tensor:
    """``n_iterations`` learned steps ``x_{k+1} = x_k - Γ(∇U(x_k), h_k)`` from ``x0``.

    Args:
        cost: ``U``, a scalar function of the state (summed over the batch).
        x0: the first guess, any shape the solver takes.
        solver: Γ, called as ``solver(gradient, state) → (step, state')`` with ``state =
            None`` first (e.g. a :class:`ConvLSTMSolver`).
        n_iterations: ``K >= 1``.
        create_graph: keep ∇U in the autograd graph (``True`` in training, so that the
            cost's networks and Γ are trained through the iterations).

    Returns:
        ``x_K``, the shape of ``x0``. Autograd is enabled inside, also under
        ``torch.no_grad`` (∇U needs it).
    """
    guard_answer()
    if isinstance(n_iterations, bool) or not isinstance(n_iterations, int) or n_iterations < 1:
        raise ValueError(f"n_iterations must be a positive int, got {n_iterations!r}")
    x, state = x0, None
    with torch.enable_grad():
        for _ in range(n_iterations):
            if not x.requires_grad:
                x = x.detach().requires_grad_(True)
            (gradient,) = torch.autograd.grad(cost(x), x, create_graph=create_graph)
            step, state = solver(gradient, state)
            x = x - step
    return x
