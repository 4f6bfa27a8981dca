FROM node:20
RUN --mount=type=cache,target=/root/.npm \
    --mount=type=secret,id=npmrc,target=/root/.npmrc \
    --mount=type=bind,source=package.json,target=package.json \
    npm ci
