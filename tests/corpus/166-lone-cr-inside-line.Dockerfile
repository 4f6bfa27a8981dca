FROM alpineRUN echo joined
RUN echo next
