// A plugin imports this module alone: the values it draws (pages, themes, presentations) and the logger it is given
// come with it.
@_exported import Logging
@_exported import VitrineModel
