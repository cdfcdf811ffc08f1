"""GAN building blocks: the 1-D DCGAN of BirdGAN (Roy et al., 2022), the closed-loop
increments generator and the WGAN-GP gradient penalty (Gulrajani et al., 2017, eq. 3)."""

import numpy as np
import pytest
import torch

from dlgd_course.notebook import quiet_trainer
from dlgd_course.trajectories import (
    TripDataModule,
    TripDiscriminator,
    TripEncoding,
    TripGAN,
    TripGenerator,
    simulate_trips,
)
from dlgd_course.trajectories.dataset import arrays_to_dataset, positions, split_trips
from dlgd_course.trajectories.models import fit_max_step, gradient_penalty, integrate_increments


@pytest.fixture(scope="module")
def trips():
    return simulate_trips("peru", n_trips=24, n_steps=64, seed=0)


def test_encoding_round_trip(trips):
    enc = TripEncoding.fit(trips)
    x = enc.encode(trips)
    assert x.shape == (24, 4, 64) and x.dtype == torch.float32
    assert x[:, :2].abs().max() <= 1.0 + 1e-6 and set(x[:, 2].unique().tolist()) <= {-1.0, 1.0}
    back = enc.decode(x)
    np.testing.assert_allclose(positions(back), positions(trips), atol=1e-5)
    np.testing.assert_array_equal(back["dive"].values, trips["dive"].values)
    np.testing.assert_allclose(back["duration"].values, trips["duration"].values, rtol=1e-5)
    with pytest.raises(ValueError, match="expected"):
        enc.decode(x[:, :3])


@pytest.mark.parametrize("output", ["positions", "increments"])
def test_generator_and_discriminator_shapes(output):
    g = TripGenerator(4, n_steps=64, latent_dim=8, width=8, output=output)
    d = TripDiscriminator(4, n_steps=64, width=8, step_features=5.0)
    out = g(torch.randn(5, 8))
    assert out.shape == (5, 4, 64) and out.abs().max() <= 1.0
    assert d(out).shape == (5,)
    if output == "increments":
        torch.testing.assert_close(out[:, :2, [0, -1]], torch.zeros(5, 2, 2))
    with pytest.raises(ValueError, match="multiple of 8"):
        TripGenerator(4, n_steps=60)
    with pytest.raises(ValueError, match="loss"):
        TripGAN(4, loss="hinge")


def test_integrate_increments_is_a_bridge():
    v = torch.ones(1, 2, 5)
    p = integrate_increments(v, 0.5)  # straight walk 0, .5, 1, 1.5, 2 minus drift t/4 * 2
    torch.testing.assert_close(p, torch.zeros(1, 2, 5))
    v = torch.tensor([[[1.0, -1.0, 1.0, -1.0]] * 2])
    torch.testing.assert_close(
        integrate_increments(v, 1.0)[0, 0], torch.tensor([0.0, 1, 0, 1]) - torch.linspace(0, 1, 4)
    )


def test_gradient_penalty_of_a_linear_critic():
    """D(x) = <w, x> has gradient w everywhere: penalty (|w| - 1)^2 exactly."""
    w = torch.full((1, 2, 8), 0.5)

    def critic(x):
        return (w * x).flatten(1).sum(1)

    real, fake = torch.randn(6, 2, 8), torch.randn(6, 2, 8)
    assert float(gradient_penalty(critic, real, fake)) == pytest.approx((0.5 * 4 - 1) ** 2)


@pytest.mark.parametrize("loss", ["bce", "wgan-gp"])
def test_training_step_updates_both_networks(trips, loss):
    torch.manual_seed(0)
    data = TripDataModule(trips, batch_size=8)
    gan = TripGAN(4, n_steps=64, latent_dim=8, width=8, loss=loss, n_critic=2)
    g0 = [p.detach().clone() for p in gan.generator.parameters()]
    d0 = [p.detach().clone() for p in gan.discriminator.parameters()]
    quiet_trainer(max_epochs=1, accelerator="cpu").fit(gan, data)
    assert len(gan.history["d"]) == 3 and len(gan.history["g"]) == 2  # n_critic = 2
    assert all(not torch.equal(a, b) for a, b in zip(g0, gan.generator.parameters(), strict=True))
    # weights only: the critic's last bias cancels in E[D(fake)] - E[D(real)] (no gradient)
    assert all(
        not torch.equal(a, b) for a, b in zip(d0, gan.discriminator.parameters(), strict=True) if a.ndim > 1
    )
    assert gan.betas == ((0.5, 0.999) if loss == "bce" else (0.0, 0.9))


def test_bce_discriminator_loss_at_chance_is_2_log_2():
    gan = TripGAN(4, n_steps=64, latent_dim=8, width=8, loss="bce")
    for p in gan.discriminator.parameters():
        torch.nn.init.zeros_(p)
    x = torch.randn(4, 4, 64)
    with torch.no_grad():
        assert float(gan.discriminator_loss(x, x)) == pytest.approx(2 * np.log(2))
        assert float(gan.generator_loss(x)) == pytest.approx(np.log(2))


@pytest.mark.slow
@pytest.mark.usefixtures("one_torch_thread")
def test_short_training_learns_the_dive_frequency():
    """The closed-loop DCGAN learns the share of diving steps in 150 updates; the untrained
    generator is far off. (Its spectrum is smooth already before training - the bridge
    construction - so the spectral loss is not what this short run checks.)"""
    torch.manual_seed(0)
    train, test = split_trips(simulate_trips("peru", n_steps=64, seed=0), 0.25, 0)
    data = TripDataModule(train, batch_size=16)
    gan = TripGAN(4, n_steps=64, latent_dim=16, width=16, loss="bce", max_step=0.12)
    real = float(test["dive"].mean())

    def dive_gap() -> float:
        fake = data.encoding.decode(gan.sample(300, torch.Generator().manual_seed(1)))
        return abs(float(fake["dive"].mean()) - real)

    before = dive_gap()
    quiet_trainer(max_epochs=50, accelerator="cpu").fit(gan, data)
    after = dive_gap()
    assert before > 0.15 and after < 0.1, f"dive-fraction gap {before:.3f} -> {after:.3f}"


def test_gan_follows_the_course_module_conventions(trips):
    """The loss's default lr saved as ``lr``; both optimisers decay over ``max_epochs``."""
    data = TripDataModule(trips, batch_size=8)
    gan = TripGAN(4, n_steps=64, latent_dim=8, width=8, loss="wgan-gp", max_epochs=2)
    assert gan.hparams.lr == 1e-4 and gan.hparams.max_epochs == 2
    trainer = quiet_trainer(max_epochs=1, accelerator="cpu")
    trainer.fit(gan, data)
    # cosine decay after one of two epochs: lr (1 + cos(pi / 2)) / 2
    assert [o.param_groups[0]["lr"] for o in gan.optimizers()] == pytest.approx([5e-5, 5e-5])


@pytest.mark.parametrize(
    ("fields", "message"),
    [((0.0, 1.0, 0.5), "scale"), ((1.0, float("nan"), 0.5), "log_duration_mean"), ((1.0, 1.0, -1.0), "std")],
)
def test_encoding_rejects_bad_scales(fields, message):
    with pytest.raises(ValueError, match=message):
        TripEncoding(*fields)


def test_fit_max_step_is_the_longest_step_with_a_margin():
    xy = np.array([[[0.0, 0.0], [3.0, 4.0], [3.0, 5.0], [0.0, 0.0]]])  # steps 5, 1, sqrt(34)
    ds = arrays_to_dataset(xy)
    assert fit_max_step(ds, scale=10.0, margin=1.1) == pytest.approx(1.1 * np.sqrt(34) / 10.0)
    with pytest.raises(ValueError, match="never move"):
        fit_max_step(arrays_to_dataset(np.zeros((1, 4, 2))), scale=1.0)
    with pytest.raises(ValueError, match="scale and margin must be > 0"):
        fit_max_step(ds, scale=0.0)
