# slimguard's own image (tests/test_own_image.py builds and checks it):
#   docker build -t slimguard .
#   docker run --rm -v "$PWD:/src" slimguard lint /src
# The builder makes the wheel and installs it with its dependencies into a venv;
# the final stage is the same slim Python base with only that venv, run as a
# numeric non-root user.
FROM python:3.11-slim AS build
# Optional: where pip finds packages (a mirror, or a local wheelhouse served on
# loopback for `docker build --network host`); unset, pip uses PyPI.
ARG PIP_INDEX_URL
ARG PIP_FIND_LINKS
ARG PIP_NO_INDEX
WORKDIR /build
# the dependencies (and the build backend) first: this layer is rebuilt only
# when pyproject.toml changes
COPY pyproject.toml ./
RUN python -m venv /opt/slimguard \
    && python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb")); print("\n".join(p["build-system"]["requires"] + p["project"]["dependencies"]))' >requirements.txt \
    && /opt/slimguard/bin/pip install --no-cache-dir -r requirements.txt
COPY README.md ./
COPY src/ src/
RUN /opt/slimguard/bin/pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /wheels . \
    && /opt/slimguard/bin/pip install --no-cache-dir --no-deps /wheels/slimguard-*.whl \
    && /opt/slimguard/bin/pip check \
    && /opt/slimguard/bin/pip uninstall --yes pip setuptools wheel \
    && /opt/slimguard/bin/slimguard --version

FROM python:3.11-slim
# a system user 10001 without a shell; then no setuid/setgid programs, so
# nothing in the container can gain privileges
RUN groupadd --system --gid 10001 slimguard \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin slimguard \
    && find / -xdev -type f -perm /6000 -exec chmod a-s {} +
COPY --from=build /opt/slimguard /opt/slimguard
ENV PATH=/opt/slimguard/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    XDG_CACHE_HOME=/tmp/.cache
WORKDIR /src
USER 10001:10001
ENTRYPOINT ["slimguard"]
CMD ["--help"]
