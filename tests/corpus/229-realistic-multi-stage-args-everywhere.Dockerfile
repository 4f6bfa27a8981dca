ARG ALPINE_VERSION=3.19
ARG NODE_VERSION=20
FROM node:${NODE_VERSION}-alpine${ALPINE_VERSION} AS base
ARG NODE_ENV=production
ENV NODE_ENV=${NODE_ENV}
WORKDIR /usr/src/app

FROM base AS deps
RUN --mount=type=bind,source=package.json,target=package.json \
    --mount=type=bind,source=package-lock.json,target=package-lock.json \
    --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev

FROM base AS final
USER node
COPY --from=deps /usr/src/app/node_modules ./node_modules
COPY --chown=node:node . .
EXPOSE 3000
CMD ["node", "src/index.js"]
