FROM alpine
﻿RUN echo a BOM here is part of the keyword
