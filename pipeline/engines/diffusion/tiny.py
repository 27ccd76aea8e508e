"""Tiny random-weight model folders for tests and benchmarks: nothing is downloaded.

:func:`write_tiny_models` builds SD-1.5-, SDXL- or FLUX-style pipelines (and a fill/inpaint model
and an upscaler) in code, saves them with ``save_pretrained`` and returns the ``KEYART_*``
environment that points the registry at them, so every load goes through the real
``from_pretrained`` path. Tokenizers are built from an in-memory vocabulary (the Hub's
``hf-internal-testing`` tokenizers are the only thing diffusers' own dummy tests download).
Component shapes follow diffusers' ``get_dummy_components`` (reference/dependency_probe.md §2).
The outputs are noise-like pictures; only shapes, determinism and plumbing are meaningful.
"""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

TINY_MAX_PIXELS = 128 * 128
TINY_VAE_TILE = 32  # every tiny VAE's sample_size: AutoencoderKL tiles images wider/taller than this
_WORDS = ["a", "the", "cat", "dog", "photo", "of", "painting", "face", "portrait", "sky", "city"]


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP's reversible byte → printable-character table."""
    bs = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs], strict=True))


def clip_tokenizer(folder: Path) -> Any:
    """A byte-level BPE CLIP tokenizer (< 600 ids) written to ``folder`` and loaded from it."""
    from transformers import CLIPTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    chars = list(_bytes_to_unicode().values())
    vocab = {c: i for i, c in enumerate(chars)}
    for c in chars:
        vocab[c + "</w>"] = len(vocab)
    merges: list[str] = []
    for word in _WORDS:
        toks = [*word[:-1], word[-1] + "</w>"]
        while len(toks) > 1:
            merges.append(f"{toks[0]} {toks[1]}")
            vocab.setdefault(toks[0] + toks[1], len(vocab))
            toks = [toks[0] + toks[1], *toks[2:]]
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(dict.fromkeys(merges)) + "\n")
    return CLIPTokenizer.from_pretrained(str(folder), model_max_length=77)


def t5_tokenizer() -> Any:
    """A Unigram T5 tokenizer from an in-memory vocabulary (pad=0, eos=1, unk=2)."""
    from transformers import T5Tokenizer

    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0)]
    for c in string.ascii_letters + string.digits + string.punctuation:
        vocab += [(c, -5.0), ("▁" + c, -4.0)]
    vocab += [("▁" + w, -1.0) for w in _WORDS]
    return T5Tokenizer(vocab=list(dict.fromkeys(vocab)), extra_ids=0, model_max_length=512)


def _clip_text_encoder(projection_dim: int = 32, with_projection: bool = False) -> Any:
    """CLIPTextModel, or CLIPTextModelWithProjection (SDXL's second encoder: pooled, projected)."""
    import torch
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(0)
    cls = CLIPTextModelWithProjection if with_projection else CLIPTextModel
    return cls(
        CLIPTextConfig(
            bos_token_id=0,
            eos_token_id=2,
            hidden_size=32,
            intermediate_size=37,
            layer_norm_eps=1e-5,
            num_attention_heads=4,
            num_hidden_layers=2,
            pad_token_id=1,
            vocab_size=1000,
            hidden_act="gelu",
            projection_dim=projection_dim,
        )
    )


def _sd_unet(in_channels: int) -> Any:
    import torch
    from diffusers import UNet2DConditionModel

    torch.manual_seed(0)
    return UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=2,
        sample_size=32,
        in_channels=in_channels,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
    )


def _sd_vae(blocks: tuple[int, ...] = (32, 64), scaling_factor: float = 0.18215, **extra: Any) -> Any:
    import torch
    from diffusers import AutoencoderKL

    torch.manual_seed(0)
    return AutoencoderKL(
        # No mid-block attention: at a 1–2× latent stride it attends over every pixel (minutes at 300 px).
        mid_block_add_attention=False,
        block_out_channels=list(blocks),
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        # The VAE tile size (KEYART_VAE_TILING): 32 px, so the tests' 64 px canvases really are tiled.
        sample_size=TINY_VAE_TILE,
        down_block_types=["DownEncoderBlock2D"] * len(blocks),
        up_block_types=["UpDecoderBlock2D"] * len(blocks),
        scaling_factor=scaling_factor,
        **extra,
    )


def _ddim(**extra: Any) -> Any:
    from diffusers import DDIMScheduler

    return DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
        **extra,
    )


def write_sd15(root: Path) -> tuple[Path, Path]:
    """Tiny SD 1.5-style text-to-image folder and a 9-channel inpainting folder."""
    from diffusers import StableDiffusionInpaintPipeline, StableDiffusionPipeline

    tok = clip_tokenizer(root / "_tok" / "clip")
    parts = {
        "vae": _sd_vae(),
        "text_encoder": _clip_text_encoder(),
        "tokenizer": tok,
        "scheduler": _ddim(),
        "safety_checker": None,
        "feature_extractor": None,
        "image_encoder": None,
        "requires_safety_checker": False,
    }
    base: Any = StableDiffusionPipeline(unet=_sd_unet(4), **parts)
    inpaint: Any = StableDiffusionInpaintPipeline(unet=_sd_unet(9), **parts)
    base.save_pretrained(root / "sd15")
    inpaint.save_pretrained(root / "sd15-inpaint")
    return root / "sd15", root / "sd15-inpaint"


def _sdxl_unet(in_channels: int) -> Any:
    """SDXL-style UNet: "text_time" added conditioning and the two encoders' concatenated context."""
    import torch
    from diffusers import UNet2DConditionModel

    torch.manual_seed(0)
    return UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=1,
        sample_size=32,
        in_channels=in_channels,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4),
        use_linear_projection=True,
        transformer_layers_per_block=(1, 2),
        addition_embed_type="text_time",
        addition_time_embed_dim=8,
        # 6 size/crop ids × 8 + the second encoder's 32-d pooled embedding.
        projection_class_embeddings_input_dim=6 * 8 + 32,
        cross_attention_dim=64,  # 32 (text_encoder) + 32 (text_encoder_2), concatenated
    )


def write_sdxl(root: Path) -> tuple[Path, Path]:
    """Tiny SDXL-style text-to-image folder and a 9-channel SDXL inpainting folder."""
    from diffusers import StableDiffusionXLInpaintPipeline, StableDiffusionXLPipeline

    tok = clip_tokenizer(root / "_tok" / "clip")
    parts = {
        # force_upcast=False: the tiny VAE is fp32 anyway; True makes img2img re-cast it on every call.
        "vae": _sd_vae(scaling_factor=0.13025, force_upcast=False),
        "text_encoder": _clip_text_encoder(),
        "text_encoder_2": _clip_text_encoder(with_projection=True),
        "tokenizer": tok,
        "tokenizer_2": tok,
        # SDXL ships EulerDiscreteScheduler, whose set_timesteps calls np.array() on a torch tensor: a
        # DeprecationWarning under numpy 2, which the test suite treats as an error. DDIM plans alike.
        "scheduler": _ddim(),
    }
    base: Any = StableDiffusionXLPipeline(unet=_sdxl_unet(4), **parts)
    inpaint: Any = StableDiffusionXLInpaintPipeline(unet=_sdxl_unet(9), **parts)
    base.save_pretrained(root / "sdxl")
    inpaint.save_pretrained(root / "sdxl-inpaint")
    return root / "sdxl", root / "sdxl-inpaint"


def _flux_transformer(in_channels: int, out_channels: int | None = None) -> Any:
    import torch
    from diffusers import FluxTransformer2DModel

    torch.manual_seed(0)
    return FluxTransformer2DModel(
        patch_size=1,
        in_channels=in_channels,
        out_channels=out_channels,
        num_layers=1,
        num_single_layers=1,
        attention_head_dim=16,
        num_attention_heads=2,
        joint_attention_dim=32,
        pooled_projection_dim=32,
        axes_dims_rope=[4, 4, 8],
    )


def _flux_vae(latent_channels: int) -> Any:
    import torch
    from diffusers import AutoencoderKL

    torch.manual_seed(0)
    return AutoencoderKL(
        # No mid-block attention: at a 1–2× latent stride it attends over every pixel (minutes at 300 px).
        mid_block_add_attention=False,
        sample_size=TINY_VAE_TILE,
        in_channels=3,
        out_channels=3,
        block_out_channels=(4,),
        layers_per_block=1,
        latent_channels=latent_channels,
        norm_num_groups=1,
        use_quant_conv=False,
        use_post_quant_conv=False,
        shift_factor=0.0609,
        scaling_factor=1.5035,
    )


def write_flux(root: Path) -> tuple[Path, Path]:
    """Tiny FLUX-style folder and a FLUX Fill folder (own transformer: 20 in, 8 out; own VAE)."""
    import torch
    from diffusers import FlowMatchEulerDiscreteScheduler, FluxFillPipeline, FluxPipeline
    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(0)
    t5 = T5EncoderModel(
        T5Config(
            vocab_size=1000,
            d_model=32,
            d_ff=37,
            d_kv=8,
            num_layers=2,
            num_heads=4,
            relative_attention_num_buckets=8,
            pad_token_id=0,
            eos_token_id=1,
        )
    )
    parts = {
        "scheduler": FlowMatchEulerDiscreteScheduler(),
        "text_encoder": _clip_text_encoder(),
        "tokenizer": clip_tokenizer(root / "_tok" / "clip"),
        "text_encoder_2": t5,
        "tokenizer_2": t5_tokenizer(),
    }
    base: Any = FluxPipeline(vae=_flux_vae(1), transformer=_flux_transformer(4), **parts)
    fill: Any = FluxFillPipeline(vae=_flux_vae(2), transformer=_flux_transformer(20, 8), **parts)
    base.save_pretrained(root / "flux")
    fill.save_pretrained(root / "flux-fill")
    return root / "flux", root / "flux-fill"


def write_spandrel_upscaler(path: Path, scale: int = 2) -> Path:
    """A Real-ESRGAN *Compact* (SRVGGNetCompact) state dict with 8 features, as safetensors."""
    import torch
    from safetensors.torch import save_file
    from spandrel.architectures.Compact import Compact

    torch.manual_seed(0)
    model = Compact(num_in_ch=3, num_out_ch=3, num_feat=8, num_conv=2, upscale=scale)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))
    return path


def write_sd_x4(root: Path) -> Path:
    """A tiny SD x4 upscaler folder (7-channel UNet, 3-block VAE: 4× per side)."""
    import torch
    from diffusers import DDPMScheduler, StableDiffusionUpscalePipeline, UNet2DConditionModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 32, 64),
        layers_per_block=2,
        sample_size=32,
        in_channels=7,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        attention_head_dim=8,
        use_linear_projection=True,
        only_cross_attention=(True, True, False),
        num_class_embeds=100,
    )
    pipe: Any = StableDiffusionUpscalePipeline(
        unet=unet,
        low_res_scheduler=DDPMScheduler(),
        scheduler=_ddim(prediction_type="v_prediction"),
        vae=_sd_vae((32, 32, 64), scaling_factor=0.08333),
        text_encoder=_clip_text_encoder(512),
        tokenizer=clip_tokenizer(root / "_tok" / "clip"),
        max_noise_level=350,
    )
    pipe.save_pretrained(root / "sd-x4")
    return root / "sd-x4"


# Where each family's adapter goes in the adapter folder (h94/IP-Adapter's layout: the image
# encoder sits in ``<subfolder>/image_encoder``, where diffusers' load_ip_adapter looks for it).
IP_ADAPTER_SUBFOLDER = {"sd15": "models", "sdxl": "sdxl_models"}
IP_IMAGE_EMBED_DIM = 32  # the tiny image encoder's projection_dim = the adapter's input width


def _tiny_image_encoder() -> Any:
    """A CLIP vision tower (32 px images, 4 patches a side) with a 32-d projected image embedding."""
    import torch
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

    torch.manual_seed(0)
    return CLIPVisionModelWithProjection(
        CLIPVisionConfig(
            hidden_size=32,
            intermediate_size=37,
            num_attention_heads=4,
            num_hidden_layers=2,
            image_size=32,
            patch_size=8,
            projection_dim=IP_IMAGE_EMBED_DIM,
        )
    )


def write_ip_adapter(root: Path, family: str = "sd15") -> str:
    """A random-weight IP-Adapter (4 image tokens) for the tiny ``family`` UNet → ``KEYART_IP_ADAPTER``.

    The weight file holds the original IP-Adapter layout that diffusers' ``load_ip_adapter``
    converts: ``image_proj.proj``/``image_proj.norm`` (image embedding → 4 context tokens) and
    ``ip_adapter.<k>.to_k_ip``/``to_v_ip`` for the k-th cross-attention (k = 1, 3, 5, … in
    ``attn_processors`` order, each shaped like that layer's own ``to_k``). FLUX's adapter
    (XLabs) has another loader and layout: not built here.
    """
    import torch
    from safetensors.torch import save_file

    if family not in IP_ADAPTER_SUBFOLDER:
        known = ", ".join(IP_ADAPTER_SUBFOLDER)
        raise ValueError(f"no tiny IP-Adapter for family {family!r}: use one of {known}")
    unet = {"sd15": _sd_unet, "sdxl": _sdxl_unet}[family](4)  # same attention layout as the saved UNets
    folder = Path(root) / "ip-adapter"
    sub = folder / IP_ADAPTER_SUBFOLDER[family]
    gen = torch.Generator().manual_seed(0)

    def linear(out_dim: int, in_dim: int) -> torch.Tensor:
        return torch.randn(out_dim, in_dim, generator=gen) * in_dim**-0.5  # unit-variance outputs

    cross = unet.config.cross_attention_dim
    weights = {
        "image_proj.proj.weight": linear(4 * cross, IP_IMAGE_EMBED_DIM),
        "image_proj.proj.bias": torch.zeros(4 * cross),
        "image_proj.norm.weight": torch.ones(cross),
        "image_proj.norm.bias": torch.zeros(cross),
    }
    cross_attentions = [n for n in unet.attn_processors if not n.endswith("attn1.processor")]
    for i, name in enumerate(cross_attentions):
        to_k = unet.get_submodule(name.removesuffix(".processor")).to_k.weight
        weights[f"ip_adapter.{2 * i + 1}.to_k_ip.weight"] = linear(*to_k.shape)
        weights[f"ip_adapter.{2 * i + 1}.to_v_ip.weight"] = linear(*to_k.shape)
    sub.mkdir(parents=True, exist_ok=True)
    weight_name = f"ip-adapter_tiny-{family}.safetensors"
    save_file({k: v.contiguous() for k, v in weights.items()}, str(sub / weight_name))
    _tiny_image_encoder().save_pretrained(sub / "image_encoder")
    return f"{folder}:{IP_ADAPTER_SUBFOLDER[family]}/{weight_name}"


def write_tiny_models(
    root: Path, family: str = "flux", upscaler: str | None = "spandrel", ip_adapter: bool = False
) -> dict[str, str]:
    """Write the tiny models for ``family`` (``flux``, ``sdxl`` or ``sd15``) under ``root``; return their env.

    ``upscaler`` is ``spandrel`` (a 2× Compact file; the ``upscalers`` extra), ``sd-x4``, or None
    (no upscaler configured). ``ip_adapter=True`` also writes a tiny IP-Adapter and sets
    ``KEYART_IP_ADAPTER`` (SD 1.5 and SDXL only; off by default, as in production). The environment
    also pins the CPU, fp32, 2 denoising steps and a 128×128 working canvas so a test stays fast.
    """
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Writing model shards" bars on every save
    writers = {"flux": write_flux, "sdxl": write_sdxl, "sd15": write_sd15}
    if family not in writers:
        raise ValueError(f"no tiny models for family {family!r}: use one of {', '.join(writers)}")
    root = Path(root)
    base, fill = writers[family](root)
    upscalers = {"spandrel": lambda: write_spandrel_upscaler(root / "upscaler-x2.safetensors"),
                 "sd-x4": lambda: write_sd_x4(root)}
    if upscaler is not None and upscaler not in upscalers:
        raise ValueError(f"no tiny upscaler {upscaler!r}: use one of {', '.join(upscalers)}, or None")
    extra = {"KEYART_MODEL_UPSCALER": str(upscalers[upscaler]())} if upscaler is not None else {}
    if ip_adapter:
        extra["KEYART_IP_ADAPTER"] = write_ip_adapter(root, family)
    return {
        "KEYART_ENGINE": "diffusion",
        "KEYART_MODEL_FAMILY": family,
        "KEYART_MODEL_GENERATE": str(base),
        "KEYART_MODEL_FILL": str(fill),
        **extra,
        "KEYART_DEVICE": "cpu",
        "KEYART_DTYPE": "float32",
        "KEYART_DIFFUSION_STEPS": "2",
        "KEYART_DIFFUSION_MAX_PIXELS": str(TINY_MAX_PIXELS),
    }
