FROM alpine
WORKDİR /dotted-capital-i
HEALTHCHECK NONE
ENTRYPOİNT ["a"]
ONBUİLD RUN echo trigger
ſHELL ["long-s"]
WORKDıR /dotless-i
