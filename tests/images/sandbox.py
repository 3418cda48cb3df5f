"""``porchbot/sandbox-fn:local``: a purpose-made misbehaving function for the sandbox tests."""

from __future__ import annotations

from typing import Any

from tests.images.common import (
    LABEL_HASH,
    LABEL_ROLE,
    Hasher,
    build_image,
    dockerfile_context,
    image_id,
    image_labels,
)

SANDBOX_IMAGE = "porchbot/sandbox-fn:local"
SCRIPT = "sandbox_fn.py"

DOCKERFILE = f"""\
FROM {{base}}
COPY {SCRIPT} /usr/local/lib/{SCRIPT}
ENTRYPOINT ["python3", "/usr/local/lib/{SCRIPT}"]
"""


def ensure_sandbox_image(client: Any, base_image: str, *, force: bool = False) -> str:
    from pathlib import Path

    script = (Path(__file__).parent / SCRIPT).read_bytes()
    hasher = Hasher()
    hasher.add("base", image_id(client, base_image).encode())
    hasher.add("Dockerfile", DOCKERFILE.encode())
    hasher.add(SCRIPT, script)
    wanted = hasher.hexdigest()
    labels = image_labels(client, SANDBOX_IMAGE)
    if force or labels is None or labels.get(LABEL_HASH) != wanted:
        context = dockerfile_context(DOCKERFILE.format(base=base_image), {SCRIPT: script})
        build_image(client, context, SANDBOX_IMAGE, {LABEL_HASH: wanted, LABEL_ROLE: "sandbox-fn"})
    return SANDBOX_IMAGE
