"""Subject check: the master's face survives in the variant — same person, same proportions,
same eye colour — and the frame is not stretched.

- identity: dlib ResNet descriptor distance to the master's face (< 0.6, §2a). The descriptor
  cannot see an 8 % stretch (§2b), so proportions are measured separately:
- proportions: the frame's anisotropy (lineage or registration) and the face region's, from a
  local affine (ECC) between the reference's face and the variant's, plus the 5-point landmark
  ratio eye-span / eye-to-nose height where the face is big enough for landmarks to be steady
  (averaged over jittered detections at matched sharpness: landmarks.py);
- eye colour: ΔE2000 of the darker pixels between each eye's corners (iris and pupil), after
  removing the variant's global cast, which is the colour check's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.audit import facemeasures, faces, landmarks
from pipeline.audit.pair import Pair
from pipeline.audit.tolerances import Tolerances
from pipeline.errors import EngineUnavailable
from pipeline.ops.base import Geometry


@dataclass(frozen=True)
class Frame:
    """Whole-frame distortion of the variant relative to the master."""

    anisotropy: float
    source: str  # "lineage" | "registration"
    rotation_deg: float = 0.0


def map_box(box: tuple[float, float, float, float], geometry: Geometry) -> tuple[float, float, float, float]:
    sx, sy = geometry.scale
    left, top = geometry.source_box[:2]
    return ((box[0] - left) * sx, (box[1] - top) * sy, (box[2] - left) * sx, (box[3] - top) * sy)


def _visible(box: tuple[float, float, float, float], size: tuple[int, int]) -> float:
    w = max(0.0, min(box[2], size[0]) - max(box[0], 0.0))
    h = max(0.0, min(box[3], size[1]) - max(box[1], 0.0))
    return w * h / max((box[2] - box[0]) * (box[3] - box[1]), 1e-9)


def _covered(box: tuple[float, float, float, float], overlay: np.ndarray | None) -> float:
    """Share of the face box (its part inside the frame) that brand's overlay hides."""
    if overlay is None:
        return 0.0
    height, width = overlay.shape
    left, top = max(0, round(box[0])), max(0, round(box[1]))
    right, bottom = min(width, round(box[2])), min(height, round(box[3]))
    if right <= left or bottom <= top:
        return 0.0
    return float(overlay[top:bottom, left:right].mean())


def check(
    pair: Pair, master_face: faces.Face | EngineUnavailable | None, frame: Frame, tol: Tolerances
) -> dict[str, Any]:
    out: dict[str, Any] = {"frame_anisotropy": round(frame.anisotropy, 5), "frame_source": frame.source}
    failures: list[str] = []
    stretch = frame.anisotropy - 1.0
    if abs(stretch) > tol.frame_anisotropy:
        failures.append(
            f"frame stretched {stretch:+.1%} ({frame.source}; tolerance ±{tol.frame_anisotropy:.1%})"
        )
    if abs(frame.rotation_deg) > 1.0:
        failures.append(f"frame rotated {frame.rotation_deg:+.1f}° relative to the master")
    out["tolerance"] = {
        "identity": tol.identity,
        "frame_anisotropy": tol.frame_anisotropy,
        "face_anisotropy": tol.face_anisotropy,
        "landmark_ratio": tol.landmark_ratio,
        "eye_delta_e": tol.eye_delta_e,
        "min_face_px": tol.min_face_px,
        "min_landmark_face_px": tol.min_landmark_face_px,
        "min_eye_px": tol.min_eye_px,
        "overlay_face": tol.overlay_face,
    }

    skip = _skip_reason(pair, master_face, tol, out)
    if out.get("face_overlay_covered", 0.0) > tol.overlay_face:
        # Brand never places copy over the subject on purpose: a covered face is a layout defect.
        covered = out["face_overlay_covered"]
        failures.append(
            f"the master's face is {covered:.0%} covered by brand's logo / copy or a designed panel"
        )
    if skip is None:
        assert isinstance(master_face, faces.Face)
        failures += _face_checks(pair, master_face, tol, out)
    if failures:
        return {"passed": False, "reason": "; ".join(failures), **out}
    if skip is not None:
        return {"passed": None, "reason": skip, **out}
    return {"passed": True, "reason": "same person, proportions and eye colour as the master", **out}


def _skip_reason(
    pair: Pair, master_face: faces.Face | EngineUnavailable | None, tol: Tolerances, out: dict[str, Any]
) -> str | None:
    if isinstance(master_face, EngineUnavailable):
        return f"face checks not run: {master_face}"
    if master_face is None:
        return "no face in master"
    expected = map_box(master_face.box, pair.geometry)
    out["expected_face_box"] = [round(v, 1) for v in expected]
    visible = _visible(expected, pair.geometry.output_size)
    out["face_visible"] = round(visible, 3)
    out["face_px"] = round(expected[2] - expected[0], 1)
    if visible < tol.visible_face:
        where = "outside" if visible == 0 else "cut by"
        return f"the master's face is {where} this frame ({visible:.0%} visible)"
    covered = _covered(expected, pair.excluded)
    out["face_overlay_covered"] = round(covered, 3)
    if covered > tol.overlay_face:
        # Brand's overlay is never compared (pair.excluded): the face under it cannot be measured.
        return (
            f"the master's face is {covered:.0%} under brand's logo / copy or a designed panel: not compared"
        )
    if out["face_px"] < tol.min_face_px:
        return f"face too small to check ({out['face_px']:.0f} px wide; need ≥ {tol.min_face_px:g})"
    return None


def _face_checks(pair: Pair, master_face: faces.Face, tol: Tolerances, out: dict[str, Any]) -> list[str]:
    """Identity, face-region anisotropy (relative to the frame; the frame's own is judged apart),
    landmark proportions and eye colour of the face found where the master's face maps."""
    left, top, right, bottom = out["expected_face_box"]
    expected = (float(left), float(top), float(right), float(bottom))
    found = faces.find_near(pair.variant, expected)
    if found is None:
        return [f"no face found where the master's face maps (box {[round(v) for v in expected]})"]
    failures = []
    face = faces.describe(pair.variant, found)
    assert face.descriptor is not None and master_face.descriptor is not None
    distance = float(np.linalg.norm(face.descriptor - master_face.descriptor))
    out["face_box"] = [round(v, 1) for v in found]
    out["identity_distance"] = round(distance, 4)
    if distance >= tol.identity:
        failures.append(f"different person: identity distance {distance:.2f} (tolerance < {tol.identity:g})")

    ref_points = faces.landmarks(pair.reference, found)
    face_aniso = facemeasures.local_anisotropy(pair.reference, pair.variant, expected, pair.excluded)
    out["face_anisotropy"] = None if face_aniso is None else round(face_aniso, 5)
    if face_aniso is not None:  # what a viewer sees: the frame's stretch times the face region's
        out["face_anisotropy_vs_master"] = round(face_aniso * out["frame_anisotropy"], 5)
    if face_aniso is None:
        failures.append("face region does not line up with the master's (local alignment failed)")
    elif abs(face_aniso - 1.0) > tol.face_anisotropy:
        failures.append(f"face region stretched {face_aniso - 1:+.1%} (tolerance ±{tol.face_anisotropy:.1%})")
    if found[2] - found[0] >= tol.min_landmark_face_px:
        steady = landmarks.matched(pair.variant, pair.reference, found)
        delta = facemeasures.proportion(steady[0]) / facemeasures.proportion(steady[1]) - 1.0
        out["landmark_ratio_delta"] = round(delta, 4)
        if abs(delta) > tol.landmark_ratio:
            failures.append(
                f"facial proportions {delta:+.1%} eye-span/eye-to-nose (tolerance ±{tol.landmark_ratio:.0%})"
            )
    else:
        out["landmark_ratio_delta"] = None

    eye_px = facemeasures.eye_width(face.points)
    out["eye_px"] = round(eye_px, 1)
    if eye_px >= tol.min_eye_px:
        eye = facemeasures.eye_delta_e(pair.variant, face.points, pair.reference, ref_points, pair.cast_gains)
        out["eye_delta_e"] = round(eye, 3)
        if eye > tol.eye_delta_e:
            failures.append(f"eye colour ΔE2000 {eye:.1f} vs master (tolerance {tol.eye_delta_e:g})")
    else:
        out["eye_delta_e"] = None
    return failures
