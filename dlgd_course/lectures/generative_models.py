"""The generative models of Lecture 3 (book/lectures/03-generative-models.md), as reference code.

The data are the lecture's periodic 1-D fields with fronts (Burgers snapshots,
:func:`dlgd_course.lectures.inverse_problems.front_fields`). A variational auto-encoder and a
GAN learn their distribution; a spectrum, a distribution distance and a coverage measure judge
the samples. Each function below that calls :func:`~dlgd_course.own_work.guard_answer` is the
reference answer of one part of exercise ``13-generative-models``:

- :func:`reparameterise`, :func:`gaussian_kl`, :func:`negative_elbo`: the VAE's loss
  (Kingma & Welling 2014, ICLR), z = μ + σ ⊙ ε, KL(N(μ, diag σ²) ‖ N(0, I)) in closed form and
  the negative evidence lower bound of a Gaussian decoder;
- :func:`train_vae`: minibatch Adam on the negative ELBO with a linear KL warm-up;
- :func:`discriminator_loss`, :func:`generator_loss`: the GAN's binary cross-entropy losses on
  logits, the generator's in the non-saturating form (Goodfellow et al. 2014, NeurIPS);
- :func:`mean_power_spectrum`, :func:`spectral_distance`: the mean energy spectrum of a set of
  fields and the RMS distance of two spectra in decades;
- :func:`sliced_wasserstein`, :func:`coverage`: the sliced Wasserstein-1 distance of two sample
  sets and the coverage of Naeem et al. (2020, ICML), which drops when modes are missed.

:class:`FieldVAE`, :func:`mlp` and :func:`train_gan` are the building blocks the notebook uses.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from dlgd_course.closures.burgers import energy_spectrum
from dlgd_course.own_work import guard_answer


def mlp(
    n_in: int, n_out: int, width: int = 128, depth: int = 2, activation: type[nn.Module] = nn.SiLU
) -> nn.Sequential:
    """A multilayer perceptron ``(..., n_in) -> (..., n_out)``: ``depth`` hidden layers of
    ``width`` units, each followed by ``activation``, then a linear output layer."""
    if min(n_in, n_out, width, depth) < 1:
        raise ValueError(f"n_in, n_out, width and depth must be >= 1, got {n_in}, {n_out}, {width}, {depth}")
    layers: list[nn.Module] = []
    size = n_in
    for _ in range(depth):
        layers += [nn.Linear(size, width), activation()]
        size = width
    return nn.Sequential(*layers, nn.Linear(size, n_out))


# --- the variational auto-encoder ----------------------------------------------------------------


def reparameterise(mu: Tensor, log_var: Tensor, noise: Tensor) -> Tensor:
    """The reparameterised code z = μ + exp(½ log σ²) ⊙ ε, differentiable in μ and log σ²;
    ``mu``, ``log_var``, ``noise`` (ε ~ N(0, I)) of the same shape ``(..., d)``."""
    guard_answer()
    return mu + torch.exp(0.5 * log_var) * noise


def gaussian_kl(mu: Tensor, log_var: Tensor) -> Tensor:
    """KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²), in nats, summed over
    the last dimension: ``(..., d) -> (...)``."""
    guard_answer()
    return 0.5 * (mu**2 + log_var.exp() - 1 - log_var).sum(-1)


def negative_elbo(
    x: Tensor, reconstruction: Tensor, mu: Tensor, log_var: Tensor, noise_var: float, beta: float = 1.0
) -> Tensor:
    """The negative evidence lower bound of a Gaussian decoder p(x|z) = N(x̂(z), noise_var I),
    averaged over the batch (without the constant ½ n log(2π noise_var)):

        L = mean_batch [ ‖x − x̂‖² / (2 noise_var) + β KL(q(z|x) ‖ N(0, I)) ],

    ``x``, ``reconstruction`` ``(..., n)``, ``mu``, ``log_var`` ``(..., d)`` → a scalar (nats
    per sample). β = 1 gives the ELBO; β < 1 during a KL warm-up."""
    guard_answer()
    if noise_var <= 0:
        raise ValueError(f"noise_var must be > 0, got {noise_var}")
    if x.shape != reconstruction.shape:
        raise ValueError(
            f"x and reconstruction differ in shape: {tuple(x.shape)} vs {tuple(reconstruction.shape)}"
        )
    misfit = (x - reconstruction).pow(2).sum(-1) / (2 * noise_var)
    return (misfit + beta * gaussian_kl(mu, log_var)).mean()


class FieldVAE(nn.Module):
    """A VAE of fields ``(batch, n_points)`` with a Gaussian code of ``latent`` numbers: the
    encoder (an MLP) gives μ and log σ², the decoder (an MLP) maps a code to a field."""

    def __init__(self, n_points: int = 64, latent: int = 6, width: int = 128) -> None:
        super().__init__()
        self.latent = latent
        self.encoder = mlp(n_points, 2 * latent, width)
        self.decoder = mlp(latent, n_points, width)

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """μ and log σ² of q(z|x), each ``(batch, latent)``, for fields ``x (batch, n_points)``."""
        mu, log_var = self.encoder(x).chunk(2, dim=-1)
        return mu, log_var

    def decode(self, z: Tensor) -> Tensor:
        """The decoded fields ``(batch, n_points)`` of codes ``z (batch, latent)``."""
        return self.decoder(z)

    def forward(self, x: Tensor, noise: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """``(reconstruction, mu, log_var)`` of fields ``x (batch, n_points)``, decoding the
        reparameterised code with ε = ``noise (batch, latent)``."""
        mu, log_var = self.encode(x)
        return self.decode(reparameterise(mu, log_var, noise)), mu, log_var


def train_vae(
    model: FieldVAE,
    fields: Tensor,
    loss_function: Callable[..., Tensor],
    n_steps: int = 800,
    batch_size: int = 128,
    lr: float = 2e-3,
    warmup: int = 200,
    noise_var: float = 0.01,
    seed: int = 0,
) -> list[float]:
    """Adam on ``loss_function(batch, reconstruction, mu, log_var, noise_var, beta)`` over
    ``n_steps`` random minibatches of the rows of ``fields (N, n_points)``; returns the losses.

    Step k (from 0) draws ``index = torch.randint(0, N, (batch_size,), generator=g)`` and then
    ε = ``torch.randn(batch_size, model.latent, generator=g)`` from one CPU generator ``g``
    seeded with ``seed``, and weighs the KL term by β = min(1, (k + 1) / warmup): a KL warm-up,
    which keeps the codes informative while the decoder learns (Bowman et al. 2016, CoNLL)."""
    guard_answer()
    if n_steps < 1 or batch_size < 1 or warmup < 1:
        raise ValueError(
            f"n_steps, batch_size and warmup must be >= 1, got {n_steps}, {batch_size}, {warmup}"
        )
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for step in range(n_steps):
        index = torch.randint(0, len(fields), (batch_size,), generator=generator)
        noise = torch.randn(batch_size, model.latent, generator=generator).to(fields.device)
        batch = fields[index.to(fields.device)]
        reconstruction, mu, log_var = model(batch, noise)
        loss = loss_function(batch, reconstruction, mu, log_var, noise_var, min(1.0, (step + 1) / warmup))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    return losses


# --- the generative adversarial network -----------------------------------------------------------


def discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """The discriminator's binary cross-entropy on logits ℓ (D = sigmoid(ℓ)):
    −mean log D(x) − mean log(1 − D(G(z))) = mean softplus(−ℓ_real) + mean softplus(ℓ_fake),
    stable for any logits; a scalar, log 4 when every logit is 0."""
    guard_answer()
    return nn.functional.softplus(-real_logits).mean() + nn.functional.softplus(fake_logits).mean()


def generator_loss(fake_logits: Tensor) -> Tensor:
    """The generator's non-saturating loss −mean log D(G(z)) = mean softplus(−ℓ_fake): its
    gradient stays large where the discriminator rejects the samples (ℓ ≪ 0), unlike that of
    the minimax form mean log(1 − D(G(z)))."""
    guard_answer()
    return nn.functional.softplus(-fake_logits).mean()


def train_gan(
    generator: nn.Module,
    discriminator: nn.Module,
    data: Tensor,
    discriminator_loss: Callable[[Tensor, Tensor], Tensor],
    generator_loss: Callable[[Tensor], Tensor],
    latent: int,
    n_steps: int = 800,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Alternate Adam steps (β₁ = 0.5) of the discriminator and the generator on minibatches of
    ``data (N, n)`` and codes z ~ N(0, I) of ``latent`` numbers, with the given losses of the
    logits (``discriminator_loss(real_logits, fake_logits)``, ``generator_loss(fake_logits)``);
    returns the two loss histories ``{"discriminator": [...], "generator": [...]}``."""
    if n_steps < 1 or batch_size < 1:
        raise ValueError(f"n_steps and batch_size must be >= 1, got {n_steps} and {batch_size}")
    draw = torch.Generator().manual_seed(seed)
    opt_g = torch.optim.Adam(generator.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=lr, betas=(0.5, 0.999))
    history: dict[str, list[float]] = {"discriminator": [], "generator": []}
    for _ in range(n_steps):
        real = data[torch.randint(0, len(data), (batch_size,), generator=draw).to(data.device)]
        fake = generator(torch.randn(batch_size, latent, generator=draw).to(data.device))
        loss_d = discriminator_loss(discriminator(real), discriminator(fake.detach()))
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = generator_loss(discriminator(fake))
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        history["discriminator"].append(loss_d.item())
        history["generator"].append(loss_g.item())
    return history


# --- evaluation ---------------------------------------------------------------------------------


def mean_power_spectrum(fields: Tensor) -> Tensor:
    """The mean energy spectrum of periodic fields ``(..., n)``: E(m) = c_m |û_m|² / n², with
    û the real FFT and c_m = 2 for 0 < m < n/2 (1 otherwise), averaged over all leading
    dimensions → ``(n // 2 + 1,)``. Σ_m E(m) = mean u² (Parseval)."""
    guard_answer()
    return energy_spectrum(fields).reshape(-1, fields.shape[-1] // 2 + 1).mean(0)


def spectral_distance(spectrum_a: Tensor, spectrum_b: Tensor) -> float:
    """RMS difference of two spectra ``(K,)`` in decades, over the wavenumbers m ≥ 1 (the mean,
    m = 0, is left out): sqrt(mean_m (log₁₀ E_a(m) − log₁₀ E_b(m))²)."""
    guard_answer()
    if spectrum_a.shape != spectrum_b.shape or spectrum_a.ndim != 1:
        raise ValueError(
            "spectra must be two vectors of one shape, got "
            f"{tuple(spectrum_a.shape)} and {tuple(spectrum_b.shape)}"
        )
    return (spectrum_a[1:].log10() - spectrum_b[1:].log10()).pow(2).mean().sqrt().item()


def random_directions(n_directions: int, n: int, generator: torch.Generator) -> Tensor:
    """``n_directions`` directions drawn uniformly on the unit sphere of R^n, ``(n_directions, n)``."""
    directions = torch.randn(n_directions, n, generator=generator)
    return directions / directions.norm(dim=-1, keepdim=True)


def sliced_wasserstein(a: Tensor, b: Tensor, directions: Tensor) -> float:
    """Sliced Wasserstein-1 distance of two sample sets ``a``, ``b`` ``(N, n)`` of one size: the
    mean over the unit ``directions (P, n)`` u of the 1-D Wasserstein-1 distance of the
    projections, (1/N) Σ_i |sort(a u)_i − sort(b u)_i| (exact for equal sizes)."""
    guard_answer()
    if a.shape != b.shape:
        raise ValueError(
            f"sliced_wasserstein compares sample sets of one shape, got {tuple(a.shape)} and {tuple(b.shape)}"
        )
    projected_a, projected_b = (a @ directions.T).sort(0).values, (b @ directions.T).sort(0).values
    return (projected_a - projected_b).abs().mean().item()


def coverage(samples: Tensor, real: Tensor, k: int = 5) -> float:
    """Coverage (Naeem et al. 2020, ICML): the fraction of the real points ``(N, n)`` whose ball,
    of radius the distance to their k-th nearest other real point, holds at least one of the
    ``samples (M, n)``. About 1 for samples of the data's distribution, low when modes are missed."""
    guard_answer()
    if not 1 <= k < len(real):
        raise ValueError(f"k must be between 1 and {len(real) - 1}, got {k}")
    radii = torch.cdist(real, real).kthvalue(k + 1, dim=-1).values  # k + 1: the point itself is first
    return (torch.cdist(real, samples).min(-1).values < radii).float().mean().item()
