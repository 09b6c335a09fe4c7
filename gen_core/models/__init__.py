"""Model families, by the name stored in each registry entry."""
from gen_core.base import HubModel
from gen_core.models.cgan import CGANGenerator
from gen_core.models.classifier import MNISTClassifier
from gen_core.models.digit_energy import DigitEnergy
from gen_core.models.energy import Energy2D
from gen_core.models.flows import Flow
from gen_core.models.gan import GANGenerator
from gen_core.models.infogan import InfoGANGenerator
from gen_core.models.made import MADE
from gen_core.models.pixelcnn import PixelCNN
from gen_core.models.speech_classifier import SpeechDigitClassifier
from gen_core.models.vae import VAE
from gen_core.models.wavegan import WaveGANGenerator

FAMILIES: dict[str, type[HubModel]] = {
    CGANGenerator.family: CGANGenerator,
    MNISTClassifier.family: MNISTClassifier,
    DigitEnergy.family: DigitEnergy,
    Energy2D.family: Energy2D,
    Flow.family: Flow,
    GANGenerator.family: GANGenerator,
    InfoGANGenerator.family: InfoGANGenerator,
    MADE.family: MADE,
    PixelCNN.family: PixelCNN,
    SpeechDigitClassifier.family: SpeechDigitClassifier,
    VAE.family: VAE,
    WaveGANGenerator.family: WaveGANGenerator,
}
