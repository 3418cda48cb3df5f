# The Porchbot image: `porchbot serve` (default) or `porchbot worker`, git included.
#
#   docker build -t porchbot/porchbot:0.1.0 .        (or `docker compose build`)
# starts from the official Python image, installs the dependencies pinned with their hashes in
# requirements.lock from the package index, then Porchbot from this source tree.
#
# Offline (how the tests build it: no registry, no index), both through build arguments: a base made
# locally and a folder of the lock's wheels in the build context.
#   python -m tests.images.bot_image      # makes the base and wheelhouse/, then runs:
#   docker build --network none --build-arg BASE_IMAGE=porchbot/python-base:bookworm \
#                --build-arg WHEELHOUSE=wheelhouse .
#
# Functions run in-process (builtin runtime) by default; for the docker runtime mount the engine's socket
# (-v /var/run/docker.sock:/var/run/docker.sock --group-add <socket gid>): the docker SDK talks to it,
# no docker CLI is needed in the image.
ARG BASE_IMAGE=python:3.12-slim-bookworm
# A folder of wheels in the build context; empty (the default): the package index.
ARG WHEELHOUSE=

# Where pip finds the wheels: nowhere (the index) or the wheelhouse. BuildKit runs only the stage the build
# uses; the classic builder runs both, so without a wheelhouse the second one copies a file it never reads.
FROM ${BASE_IMAGE} AS wheels
RUN mkdir /wheels

FROM ${BASE_IMAGE} AS wheels-local
ARG WHEELHOUSE
COPY ${WHEELHOUSE:-requirements.lock} /wheels/

FROM wheels${WHEELHOUSE:+-local} AS build
ARG WHEELHOUSE
# Dependencies first: this layer stays cached while only Porchbot's own code changes. The lock's hashes
# put pip in hash-checking mode: a wheel that is not the one locked fails the build.
COPY requirements.lock /src/
RUN python3 -m venv /opt/porchbot \
 && /opt/porchbot/bin/pip install --no-cache-dir --disable-pip-version-check \
      ${WHEELHOUSE:+--no-index --find-links /wheels} --require-hashes -r /src/requirements.lock
COPY pyproject.toml README.md /src/
COPY bot/ /src/bot/
RUN /opt/porchbot/bin/pip install --no-cache-dir --disable-pip-version-check \
      ${WHEELHOUSE:+--no-index --find-links /wheels} --no-deps /src \
 && /opt/porchbot/bin/porchbot --help >/dev/null

FROM ${BASE_IMAGE}
ENV LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/porchbot/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PORCHBOT_CONFIG_DIR=/etc/porchbot \
    PORCHBOT_STATE_DIR=/var/lib/porchbot
# git: the lifecycle works on real clones. The official image has none (Debian's package comes in); the
# offline base has it already, so that build needs no network here either.
RUN command -v git >/dev/null \
 || { apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*; }
# A fixed non-root user (the Kubernetes manifests run as 10001 too); no useradd in a minimal rootfs.
RUN echo 'porchbot:x:10001:10001:porchbot:/var/lib/porchbot:/usr/sbin/nologin' >> /etc/passwd \
 && echo 'porchbot:x:10001:' >> /etc/group \
 && mkdir -p /var/lib/porchbot /etc/porchbot \
 && chown 10001:10001 /var/lib/porchbot
COPY --from=build /opt/porchbot /opt/porchbot
COPY config/porchbot.yaml /etc/porchbot/porchbot.yaml
USER 10001:10001
WORKDIR /var/lib/porchbot
VOLUME /var/lib/porchbot
EXPOSE 8080
CMD ["porchbot", "serve", "--host", "0.0.0.0", "--port", "8080"]
