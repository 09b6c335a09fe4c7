"""WaveGAN spoken digits: raw waveforms from a GAN, to listen to, see beside real speech, and morph."""
from __future__ import annotations

import functools
from pathlib import Path

import gradio as gr
import numpy as np
import torch

from demos import audio_plots, cards, hosting, inputs, outputs
from demos.lab import Lab
from gen_core.audio import wav_bytes
from gen_core.data.spoken_digits import WORDS, read_wav
from gen_core.hub import LoadError
from gen_core.models.wavegan import WaveGANGenerator

MODEL = "wavegan-digits"
MAX_CLIPS = 8
MORPH_STEPS = (2, 8)
REAL_DIR = Path(__file__).parent / "assets" / "real_digits"
DIGIT_CHOICES = [("any digit", "any")] + [(f"{word} ({d})", str(d)) for d, word in enumerate(WORDS)]
DEFAULTS = {"digit": "7", "n": 4, "seed": 0}
MORPH_DEFAULTS = {"digit_a": "7", "seed_a": 0, "digit_b": "8", "seed_b": 1, "steps": 4}
TITLE, TAB_ID = "WaveGAN audio", "wavegan"
SUMMARY = 'spoken digits (synthesized by espeak-ng, a stand-in for SC09): players, spectrograms, latent morphs'   # what a visitor can do here: the README's tab table (python -m tools.readme)
MAIN_CONTROL = (("button", "↻ re-roll"),)   # what the browser test does first: (role, name[, option]) in order
MODELS = (MODEL,)
EXAMPLES = {"wavegan_generate": ["any", 8, 0], "wavegan_clip": ["3", 0], "wavegan_inspect": ["3", 0],  # one input each
            "wavegan_morph": ["7", 0, "8", 1, 8]}

NOTICE = ("Trained and measured on **spoken digits synthesized with espeak-ng** (a stand-in for SC09, which cannot "
          "be downloaded here), so its figures are not comparable with the paper's SC09 numbers.")
OBJECTIVE = r"""
**WaveGAN** (Donahue et al. 2019) generates 16,384 samples (1.024 s at 16 kHz) directly: a dense layer and five 1-D transposed convolutions (kernel 25, stride 4). It is trained on the **WGAN-GP** objective (Gulrajani et al. 2017), here conditioned on the digit $y$:

$$\min_G \max_D \; \mathbb{E}_{x}\big[D(x \mid y)\big] - \mathbb{E}_{z}\big[D(G(z \mid y) \mid y)\big] - \lambda\, \mathbb{E}_{\hat x}\big[(\lVert \nabla_{\hat x} D(\hat x \mid y) \rVert_2 - 1)^2\big],$$

with $\hat x$ drawn on lines between real and generated clips and $\lambda = 10$. The digit enters the critic through a projection term, and an auxiliary digit classifier on the critic's features adds its cross-entropy on real clips to $D$'s loss and on generated ones to $G$'s (AC-GAN, as in the WGAN-GP paper's conditional model). In later stages $G$ also minimized the cross-entropy of a frozen second digit classifier, the *guide*, trained on the real clips (not the evaluator), on its clips after a random shift, gain and noise; the training schedule on the model card (under *Measured metrics* below) says from which step and at which weight. Training clips were centred on their energy, so words sit mid-clip.

**Phase shuffle**: in training, each of the critic's layers shifts its output by a random −2…2 samples, so the critic cannot reject audio by the periodic pattern that stride-4 transposed convolutions leave in it. **Post-processing**: none is learned here (the paper's optional 512-tap filter is off); the generator's tanh output is clipped to ±1 and written as 16-bit PCM (× 32767).
"""


def parse_digit(value: object) -> int | None:
    """'any' -> None (the seed picks the digit); 0-9 -> that digit; anything else -> gr.Error."""
    return inputs.require_digit(value, anything="any")


def _seed(value: object, name: str = "Seed") -> int:
    return inputs.require_int(value, name, 0, inputs.MAX_SEED)


def _codes(model: WaveGANGenerator, digit: int | None, seed: int) -> tuple[torch.Tensor, int]:
    """The noise and digit of the clip `m.sample(1, digits=..., generator=manual_seed(seed))` draws."""
    z, digits = model.codes(1, digits=None if digit is None else torch.tensor([digit]),
                               generator=torch.Generator().manual_seed(seed))
    return z, int(digits[0])


def _render(model: WaveGANGenerator, digit: int | None, seed: int) -> tuple[np.ndarray, int]:
    """(waveform float (samples,), the digit it says)."""
    z, d = _codes(model, digit, seed)
    model = model
    with torch.no_grad():
        audio = model(z.to(model.device), torch.tensor([d], device=model.device))[0].float().cpu().numpy()
    return audio, d


def _audio(model: WaveGANGenerator, waveform: np.ndarray) -> str:
    """The clip as a WAV file in the app's output folder, written under a temporary name and renamed
    into place. (Returned as (rate, int16 array), Gradio would write its cached WAV in place, so two
    requests for the same clip rewrote a file while it was being sent: a cut download.)"""
    return outputs.save_bytes(wav_bytes(waveform, model.config.sample_rate), ".wav")


@functools.lru_cache(maxsize=len(WORDS))
def real_clip(digit: int) -> np.ndarray:
    """The shipped real clip of `digit` (a held-out voice; see demos/assets/README.md)."""
    return read_wav(REAL_DIR / f"{WORDS[digit]}.wav")


def clip(model: WaveGANGenerator, digit: object, seed: object) -> str:
    """One raw clip: a 16-bit WAV file."""
    audio, _ = _render(model, parse_digit(digit), _seed(seed))
    return _audio(model, audio)


def _digits_code(digit: int | None) -> str:
    """The `digits=` argument that asks for `digit` (None: the seed picks it), as Python source."""
    return "None" if digit is None else f"torch.tensor([{digit}])"


def _snippet(digit: int | None, seeds: list[int]) -> str:
    digits = _digits_code(digit)
    if len(seeds) == 1:
        return (f"x = m.sample(1, digits={digits}, generator=torch.Generator().manual_seed({seeds[0]}))\n"
                f"write_wav(Path(\"clip-{seeds[0]}.wav\"), x[0].numpy())")
    return (f"for seed in {seeds}:\n"
            f"    x = m.sample(1, digits={digits}, generator=torch.Generator().manual_seed(seed))\n"
            f"    write_wav(Path(f\"clip-{{seed}}.wav\"), x[0].numpy())")


def recipe(model: WaveGANGenerator, snippet: str) -> str:
    return (f"**Recipe** · model `{MODEL}` · weights `{model.source.revision}`\n\n```python\nfrom pathlib import "
            f"Path\nimport torch\nimport gen_core\nfrom gen_core.data.spoken_digits import write_wav\n"
            f"m = gen_core.load(\"{MODEL}\")\n{snippet}\n```")


def inspect(model: WaveGANGenerator, digit: object, seed: object) -> tuple[str, str]:
    """Waveform and log-mel spectrogram of one clip above a real clip of the same digit: (PNG, recipe)."""
    choice, seed_value = parse_digit(digit), _seed(seed)
    return _inspection(model, choice, seed_value, *_render(model, choice, seed_value))


def _inspection(model: WaveGANGenerator, choice: int | None, seed: int, audio: np.ndarray, said: int) -> tuple[str, str]:
    """inspect() of a clip already rendered: (PNG, recipe)."""
    png = audio_plots.compare_png(audio, real_clip(said), model.config.sample_rate,
                                  f"generated \"{WORDS[said]}\" (seed {seed})",
                                  f"real \"{WORDS[said]}\" (held-out voice)")
    return outputs.save_png(png), recipe(model, _snippet(choice, [seed]))


def _player(model: WaveGANGenerator, k: int, clips: dict) -> tuple[str, str]:
    """Clip k of {"digit": choice, "seeds": [...]}: (audio, label)."""
    choice, seed = parse_digit(clips["digit"]), clips["seeds"][k]
    waveform, said = _render(model, choice, seed)
    asked = "any digit → " if choice is None else ""
    return _audio(model, waveform), f"clip {k + 1} · {asked}{WORDS[said]} · seed {seed}"


def show(model: WaveGANGenerator, k: int, clips: dict) -> list:
    """Clip k in the inspector: its digit choice and seed, audio, comparison plot and recipe."""
    digit, seed = clips["digit"], clips["seeds"][k]
    choice = parse_digit(digit)
    audio, said = _render(model, choice, seed)   # once, for the player and the plot
    return [digit, seed, _audio(model, audio), *_inspection(model, choice, seed, audio, said)]


def generate(model: WaveGANGenerator, digit: object, n: object, seed: object) -> list:
    """n clips with seeds seed, seed + 1, ...: the players and their buttons, the clip list, its recipe,
    and the first clip in the inspector."""
    parse_digit(digit)
    count = inputs.require_int(n, "Number of clips", 1, MAX_CLIPS)
    first = _seed(seed)
    clips = {"digit": digit, "seeds": [(first + k) % (inputs.MAX_SEED + 1) for k in range(count)]}
    players, buttons = [], []
    for k in range(MAX_CLIPS):
        if k < count:
            value, label = _player(model, k, clips)
            players.append(gr.Audio(value, label=label, visible=True))
        else:
            players.append(gr.Audio(None, visible=False))
        buttons.append(gr.Button(visible=k < count))
    return [*players, *buttons, clips, _batch_recipe(model, clips), *show(model, 0, clips)]


def reroll(model: WaveGANGenerator, k: int, clips: dict) -> list:
    """Clip k gets a fresh seed (same digit choice): its player, the list, its recipe, and the clip inspected."""
    clips = {"digit": clips["digit"], "seeds": list(clips["seeds"])}
    clips["seeds"][k] = inputs.new_seed()
    value, label = _player(model, k, clips)
    return [gr.Audio(value, label=label), clips, _batch_recipe(model, clips), *show(model, k, clips)]


def _batch_recipe(model: WaveGANGenerator, clips: dict) -> str:
    return recipe(model, _snippet(parse_digit(clips["digit"]), clips["seeds"]))


def morph(model: WaveGANGenerator, digit_a: object, seed_a: object, digit_b: object, seed_b: object, steps: object
          ) -> tuple[str, str, str]:
    """From clip A to clip B in `steps` clips (noise and digit embedding move on a straight line), played
    one after another: (audio, PNG, recipe)."""
    choice_a, choice_b = parse_digit(digit_a), parse_digit(digit_b)
    seed_a, seed_b = _seed(seed_a, "Seed A"), _seed(seed_b, "Seed B")
    n = inputs.require_int(steps, "Steps", *MORPH_STEPS)
    (z_a, d_a), (z_b, d_b) = _codes(model, choice_a, seed_a), _codes(model, choice_b, seed_b)
    audio = model.morph((z_a[0], d_a), (z_b[0], d_b), n).flatten().numpy()
    rate = model.config.sample_rate
    png = audio_plots.morph_png(audio, rate, n, f"\"{WORDS[d_a]}\" (seed {seed_a}) → \"{WORDS[d_b]}\" (seed {seed_b})")
    snippet = (f"za, da = m.codes(1, digits={_digits_code(choice_a)}, generator=torch.Generator().manual_seed({seed_a}))\n"
               f"zb, db = m.codes(1, digits={_digits_code(choice_b)}, generator=torch.Generator().manual_seed({seed_b}))\n"
               f"x = m.morph((za[0], int(da[0])), (zb[0], int(db[0])), {n})\n"
               f"write_wav(Path(\"morph.wav\"), x.flatten().numpy())")
    return _audio(model, audio), outputs.save_png(png), recipe(model, snippet)


def headline(model) -> str:
    values = {m.key: m.value for m in cards.read_metrics(model)}
    if "inception_score" not in values:
        return "_No measured metrics on this model card yet: run `python -m gen_core.evaluate wavegan-digits`._"
    return (f"Measured with the project's speech classifier: Inception score **{values['inception_score']:.2f}** "
            f"(real held-out clips: {values.get('inception_score_real', float('nan')):.2f}), generated clips heard "
            f"as the asked digit **{100 * values.get('conditional_accuracy', float('nan')):.1f}%** of the time"
            + (f" (a linear probe that shares nothing with that classifier: "
               f"{100 * values['linear_probe_accuracy']:.1f}%; {100 * values['linear_probe_accuracy_real']:.1f}% on real "
               f"held-out clips)" if "linear_probe_accuracy" in values else "")
            + (f"; variety within a digit {values['within_digit_spread']:.2f}× that of real clips."
               if "within_digit_spread" in values else "."))


def build(lab: Lab) -> None:
    with gr.Tab(TITLE, id=TAB_ID):
        gr.Markdown("## WaveGAN: spoken digits as raw waveforms\n" + NOTICE)
        try:
            model = lab.models[MODEL]
        except LoadError as error:
            cards.unavailable(MODEL, error)
            return
        gr.Markdown(f"Trained on {model.config.data or 'unknown data'}. " + headline(model))
        # Initial values from the handlers' parts (generate() itself returns component updates, which
        # would be rendered into the page if created here).
        first_clips = {"digit": DEFAULTS["digit"],
                       "seeds": [DEFAULTS["seed"] + k for k in range(DEFAULTS["n"])]}
        first_inspect = show(model, 0, first_clips)
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                digit = gr.Dropdown(DIGIT_CHOICES, value=DEFAULTS["digit"], label="Digit")
                n = inputs.Slider(1, MAX_CLIPS, value=DEFAULTS["n"], step=1, label="Number of clips")
                seed = inputs.Number(DEFAULTS["seed"], precision=0, minimum=0, maximum=inputs.MAX_SEED,
                                 label="Seed of the first clip", info="clip k gets seed + k − 1")
                go = gr.Button("Generate", variant="primary")
            with gr.Column(scale=3):
                players, rerolls = [], []
                for row in range(MAX_CLIPS // 4):
                    with gr.Row():
                        for k in range(row * 4, row * 4 + 4):
                            with gr.Column(min_width=180):
                                value, label = _player(model, k, first_clips) if k < DEFAULTS["n"] else (None, None)
                                players.append(gr.Audio(value, label=label, type="filepath", format="wav",
                                                        interactive=False, buttons=["download"],
                                                        visible=k < DEFAULTS["n"]))
                                rerolls.append(gr.Button("↻ re-roll", size="sm", visible=k < DEFAULTS["n"]))
                batch_recipe = gr.Markdown(_batch_recipe(model, first_clips))
        clips = gr.State(first_clips)

        gr.Markdown("### One clip beside a real one\nPlay or re-roll a clip above to see it here, or pick "
                    "any digit and seed. The spectrogram is the log-mel input of the speech classifier that scores "
                    "the model.")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                inspect_digit = gr.Dropdown(DIGIT_CHOICES, value=first_inspect[0], label="Digit")
                inspect_seed = inputs.Number(first_inspect[1], precision=0, minimum=0, maximum=inputs.MAX_SEED, label="Seed")
                inspect_audio = gr.Audio(first_inspect[2], type="filepath", format="wav", interactive=False,
                                         buttons=["download"], label="This clip")
            with gr.Column(scale=3):
                plot = gr.Image(first_inspect[3], type="filepath", format="png", interactive=False, buttons=["download"],
                                show_label=False, label="Waveform and log-mel spectrogram")
        inspect_recipe = gr.Markdown(first_inspect[4])

        gr.Markdown("### Latent morph\nNoise and digit move on a straight line from clip A to clip B; "
                    "the steps play one after another.")
        with gr.Row():
            digit_a = gr.Dropdown(DIGIT_CHOICES, value=MORPH_DEFAULTS["digit_a"], label="Digit A", min_width=140)
            seed_a = inputs.Number(MORPH_DEFAULTS["seed_a"], precision=0, minimum=0, maximum=inputs.MAX_SEED,
                               label="Seed A", min_width=120)
            digit_b = gr.Dropdown(DIGIT_CHOICES, value=MORPH_DEFAULTS["digit_b"], label="Digit B", min_width=140)
            seed_b = inputs.Number(MORPH_DEFAULTS["seed_b"], precision=0, minimum=0, maximum=inputs.MAX_SEED,
                               label="Seed B", min_width=120)
            steps = inputs.Slider(*MORPH_STEPS, value=MORPH_DEFAULTS["steps"], step=1, label="Steps", min_width=160)
            morph_go = gr.Button("Morph", variant="primary", min_width=120)
        morph_audio_value, morph_plot_value, morph_recipe_value = morph(model, **MORPH_DEFAULTS)
        morph_audio = gr.Audio(morph_audio_value, type="filepath", format="wav", interactive=False,
                               buttons=["download"], label="Morph")
        morph_plot = gr.Image(morph_plot_value, type="filepath", format="png", interactive=False,
                              buttons=["download"], show_label=False, label="Morph: waveform and log-mel spectrogram")
        morph_box = gr.Markdown(morph_recipe_value)
        gr.Markdown(OBJECTIVE, latex_delimiters=cards.LATEX)
        with gr.Accordion("Measured metrics of these weights (from the model card)", open=False):
            gr.Markdown(cards.metrics_table(model))

        inspector = [inspect_digit, inspect_seed, inspect_audio, plot, inspect_recipe]
        light, heavy = lab.lanes.light, lab.lanes.heavy
        gr.on([go.click, seed.submit], heavy.admit(functools.partial(generate, model)), [digit, n, seed], [*players, *rerolls, clips, batch_recipe, *inspector],
              api_name="wavegan_generate")
        for k, (player, button) in enumerate(zip(players, rerolls)):
            button.click(light.admit(functools.partial(reroll, model, k)), clips, [player, clips, batch_recipe, *inspector], api_visibility="private")
            player.play(light.admit(functools.partial(show, model, k)), clips, inspector, api_visibility="private")
        gr.on([inspect_digit.input, inspect_seed.submit], light.admit(functools.partial(clip, model)), [inspect_digit, inspect_seed], inspect_audio,
              api_name="wavegan_clip").then(light.admit(functools.partial(inspect, model)), [inspect_digit, inspect_seed], [plot, inspect_recipe],
                                            api_name="wavegan_inspect")
        gr.on([morph_go.click, steps.release], heavy.admit(functools.partial(morph, model)), [digit_a, seed_a, digit_b, seed_b, steps],
              [morph_audio, morph_plot, morph_box], api_name="wavegan_morph")


if __name__ == "__main__":
    hosting.run_alone(TITLE, build, MODELS)
