"""A fake spoken-digit set: noise clips in the layout gen_core.data.spoken_digits reads, enough for
the audio trainers and evaluators to run without espeak-ng."""
import numpy as np

from gen_core import audio
from gen_core.data import spoken_digits


def fake_spoken_digits(root, per_word=4, test_every=2):
    rng = np.random.default_rng(0)
    tests = []
    for word in spoken_digits.WORDS:
        for k in range(per_word):
            name = f"{word}/voice{k}_nohash_0.wav"
            spoken_digits.write_wav(root / name, rng.uniform(-0.5, 0.5, audio.CLIP_SAMPLES).astype(np.float32))
            if k % test_every == 0:
                tests.append(name)
    (root / spoken_digits.TEST_LIST).write_text("".join(f"{t}\n" for t in tests))
