TYPE: object = None  # placeholder: written by the actions work
