"""About: what the tool is for and how a lesson can use it."""
import streamlit as st

from dashboard.page_index import SECTIONS

HINTS = {"train.py": "press Train", "latent.py": "slide z", "style_transfer.py": "CycleGAN",
         "augmentation.py": "few labels"}

st.title("GAN Classroom")
# The sidebar, which Train live fills with its settings, would stand empty here: the lesson's pages instead.
with st.sidebar:
    st.markdown("**The lesson's pages**")
    for p in (p for group in SECTIONS.values() for p in group if p.file != "about.py"):
        st.page_link(f"app_pages/{p.file}", label=f"{p.title}: {HINTS[p.file]}" if p.file in HINTS else p.title,
                     icon=p.icon)
st.markdown(
    """
Watch a **generative adversarial network** learn, live, on a laptop: a *generator* G turns random noise
into samples, a *discriminator* D tries to tell them from real data, and each learns from the other.

**Train live**: pick data (2D mixtures, shapes, your own drawing or CSV, MNIST digits, or Fashion-MNIST clothes), the networks and a
GAN variant, press **Train** and watch the fakes move onto the real data. The colours keep one meaning on its
charts and wherever real and fake are drawn (the latent explorer, the arena's panels, the style transfer's arrow
plots, whose fakes are the translations): **blue is real** (the data, and where D says "real"), **vermillion is
fake** (G's samples, and where D says "fake"), **green is the generator** (its curves, its *manifold*: a grid of
noise warped by G, and the ticks that show where each fake is being pushed), **purple is the discriminator**; a
black ring marks a mode that is covered, a black cross one that is missed. Curves that compare variants,
directions or ways to train take colours of their own, named in their legends. Pause, then **Step D** or
**Step G** to see one half of the game at a time, or turn on **slow motion** to see the five sub-steps of each.
Learning rates and the variant's knobs change while it trains; a run that blows up pauses and offers a way back.

**Latent explorer**: slide each latent dimension of a trained generator and watch the picture change,
walk between two seeds (**Interpolate**: a straight line, lerp, or along the sphere, slerp), follow the **Principal
directions** of the latent space, or upload a digit and find the latent code that draws it (**Invert a real
image**). The style-based generators add their own views: style
mixing (coarse styles from one digit, fine ones from another), the truncation trick, the per-pixel noise, and
W against Z (how evenly a walk in each space changes the picture).

**Mode-collapse arena**: train up to six variants side by side on 2D mixtures of Gaussians (a ring, a grid) or on
MNIST, Fashion-MNIST and Stacked MNIST, and count the modes each one loses: in 2D with the metrics of the VEEGAN /
PacGAN papers (modes, % high-quality, reverse KL), on images by the classes the evaluation classifier finds.

**Style transfer**: a CycleGAN learns to translate between two domains with no pairs (2D shapes, digits in two
styles, or digits and clothes, which share nothing), live;
set lambda_cycle to 0 while it trains to see what the cycle loss holds; or translate with a shipped model, a digit
you draw or upload included.

**Augmentation**: do GANs help when labels are few? With N labeled digits per class, one classifier trains on them
alone, under classic augmentation, with a conditional GAN's samples or as a semi-supervised GAN, and each is scored
on held-out digits over several seeds; the shipped study opens at once.

Everything runs offline, on the bundled data and shipped weights: the page fetches nothing from the internet.
On **Train live**, the settings live in the address bar: copy the link to hand the same experiment to a class.
The other pages start from their own defaults, so there, say which choices to make.
"""
)
with st.expander("Mode collapse, seen in the shipped generators", expanded=False):
    from dashboard.generator_card import show_collapse_story
    from dashboard.resources import PRETRAINED

    show_collapse_story(PRETRAINED)
st.caption("The engine is the `gan_core` package (no UI code); `python -m gan_core --help` drives it from a terminal.")
