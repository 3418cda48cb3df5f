# The Porchbot image: `porchbot serve` (default) or `porchbot worker`, git included.
#
# No registry is needed: the base is made locally (python -m tests.images.bot_base) and the project is
# installed from wheels built on the host, so the build runs with no network at all:
#   python -m tests.images.bot_image      # base image, wheelhouse/, then `docker build .`
# or by hand:
#   pip wheel . -w wheelhouse/deps && mv wheelhouse/deps/porchbot-*.whl wheelhouse/app/
#   docker build --network none -t porchbot/porchbot:0.1.0 .
#
# Functions run in-process (builtin runtime) by default; for the docker runtime mount the engine's socket
# (-v /var/run/docker.sock:/var/run/docker.sock --group-add <socket gid>): the docker SDK talks to it,
# no docker CLI is needed in the image.
ARG BASE_IMAGE=porchbot/python-base:bookworm

FROM ${BASE_IMAGE} AS build
# Dependencies first: this layer stays cached while only Porchbot's own code changes.
COPY wheelhouse/deps/ /wheels/deps/
RUN python3 -m venv /opt/porchbot \
 && /opt/porchbot/bin/pip install --no-cache-dir --no-index --find-links /wheels/deps /wheels/deps/*.whl
COPY wheelhouse/app/ /wheels/app/
RUN /opt/porchbot/bin/pip install --no-cache-dir --no-index --no-deps /wheels/app/porchbot-*.whl \
 && /opt/porchbot/bin/porchbot --help >/dev/null

FROM ${BASE_IMAGE}
ENV LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/porchbot/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PORCHBOT_CONFIG_DIR=/etc/porchbot \
    PORCHBOT_STATE_DIR=/var/lib/porchbot
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
