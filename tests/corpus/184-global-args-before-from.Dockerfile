# syntax=docker/dockerfile:1
ARG BASE_IMAGE=alpine
ARG BASE_TAG=3.19

FROM ${BASE_IMAGE}:${BASE_TAG} AS base
ARG BASE_TAG
RUN echo $BASE_TAG
