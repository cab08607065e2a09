"""The sealed validation splits: texts whose errors nobody reads.

PDNC dev, five novels. The rule, fixed before any result was looked at: sort the novel folder names by the
SHA-256 hex digest of the name (UTF-8) and take the first five.

Our own annotated scenes (``benchmarks/scenes``), half of each batch of sixteen. The rule, fixed before any
result of the batch was looked at: sort the batch's scene names alphabetically and seal every second one, starting
with the second.

Evaluations report sealed texts only as one aggregate, beside the others; no per-text rows, confusions or
examples are ever printed for them. See ``docs/evaluation.md``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

#: How many novels the rule seals.
SEALED_COUNT = 5

#: ``sealed_novels`` applied to the 19 PDNC dev folders (pinned by a test, so the split cannot drift).
SEALED_PDNC_DEV: tuple[str, ...] = (
    "TheMysteriousAffairAtStyles",
    "AnneOfGreenGables",
    "TheSportOfTheGods",
    "TheInvisibleMan",
    "Persuasion",
)


def sealed_novels(names: Iterable[str], count: int = SEALED_COUNT) -> list[str]:
    """The sealed novels among ``names``: the first ``count`` by ``sha256(name.encode()).hexdigest()``."""
    return sorted(set(names), key=lambda n: hashlib.sha256(n.encode("utf-8")).hexdigest())[:count]


#: The scenes of ``benchmarks/scenes`` by batch, in the order they were written.
SCENE_BATCHES: tuple[tuple[str, ...], ...] = (
    (
        "ArchiveAfterHours", "AuctionSquare", "BridgeWatch", "DrawingRoomCall", "HallwayScholarship",
        "HarbourInquest", "LighthouseRelief", "NightCab", "NightPharmacyCall", "OutboardMotor", "RailwayCarriage",
        "StudioAudition", "StudyInterview", "SundayKitchen", "TavernContract", "VetCallout",
    ),
    (
        "BakeryQueue", "DetentionRoom", "DungeonFloorNine", "FoodTruckRush", "GarageBandPractice",
        "LaundromatNightShift", "MarketStallRain", "MovingDayBoxes", "PoolDeckTryouts", "PostingInnArrival",
        "PrecinctNightDesk", "PubQuizTiebreak", "RooftopConfession", "SpellingBeeFinal", "ThroneRoomRehearsal",
        "VicarageTea",
    ),
    (
        "AlchemyDormFire", "BikeShopRegular", "ChoirBusBreakdown", "DeadDropCafe", "GriffinStableNight",
        "JumpgateCustoms", "LastOrchardPicking", "MarshfordWillReading", "NewsroomDeadline", "OrbitalCustomsHold",
        "QuarryLakeBonfire", "RehearsalDinnerToast", "SeasideAssemblyRooms", "TollhouseStorm", "VineyardLastRow",
        "WatchtowerParley",
    ),
    (
        "AirlockDrill", "BoardingSchoolMidnight", "CourtroomRecess", "ElevatorStuck", "FerryCrossingFog",
        "FireStationSupper", "GovernessInterview", "HospitalNightCorridor", "KitchenBrigadeRush",
        "MountainHutBlizzard", "NurseryTeaParty", "OperaBoxGossip", "RaceDayPaddock", "SleeperTrainSwap",
        "TailorShopFitting", "WeddingTableSeating",
    ),
    (
        "AntiqueShopHaggle", "BeekeeperSwarm", "CampfireGhostStory", "ChessClubRivals", "DockyardStrike",
        "FencingSalleLesson", "GalleryOpeningSpat", "HarvestFairJudging", "IceRinkCurfew", "LibraryBasementLeak",
        "MidwifeStormNight", "NursingHomeBingo", "OrchestraPitTuning", "PawnshopMidnight", "SubmarineDrill",
        "WinterMarketPickpocket",
    ),
    (
        "BarberShopSaturday", "CastleSiegeCouncil", "CoffeeCartMorning", "DinerGraveyardShift", "EmbassyGardenParty",
        "FlowerShopDelivery", "GhostTourLantern", "HotAirBalloonLaunch", "JuryDeliberation", "LanternFestivalLost",
        "MuseumNightHeist", "PlanetariumDate", "RiverBargeSmugglers", "SchoolPlayDressRehearsal",
        "TeaHouseMatchmaker", "WhalingShipMutiny",
    ),
    (
        "ArcadeHighScore", "BlindDateBistro", "BorderCheckpointNight", "CampusRadioLive", "DragonEggAuction",
        "FarmersMarketFeud", "GymLockerRoom", "HedgeMazeParty", "LibraryStudyGroup", "MoonbaseShiftChange",
        "NightBusHome", "PotteryClassMishap", "RegencyBallroomSnub", "SkiLiftBreakdown", "TattooParlourWalkIn",
        "VillageCricketTea",
    ),
    (
        "AirportGateDelay", "BakeOffTentFinal", "BookClubSpoilers", "CarnivalFortuneTeller", "DesertConvoyStop",
        "EscapeRoomPanic", "FirehouseDinner", "HospitalNightRounds", "KaraokeBirthday", "MountainHutStorm",
        "OperaBoxScandal", "PirateShipParley", "SeanceParlour", "SleeperTrainBorder", "WitchCovenMeeting",
        "ZooKeeperNightShift",
    ),
    (
        "AllotmentShedRow", "BoxingGymSparring", "CallCentreFloor", "CanalLockKeeper", "ChristeningFontMixup",
        "DogShowRing", "DrivingTestFail", "GlassblowerWorkshop", "HostelDormArrival", "IslandPostOffice",
        "MinecartCollapse", "NightMarketNoodleStall", "PhotoStudioSitting", "RecordShopSaturday",
        "ThriftStoreDonations", "WindfarmBoatTransfer",
    ),
)

#: The sealed half of each batch (every second scene in alphabetical order, from the second).
SEALED_SCENES: tuple[str, ...] = (
    "AuctionSquare",
    "DrawingRoomCall",
    "HarbourInquest",
    "NightCab",
    "OutboardMotor",
    "StudioAudition",
    "SundayKitchen",
    "VetCallout",
    "DetentionRoom",
    "FoodTruckRush",
    "LaundromatNightShift",
    "MovingDayBoxes",
    "PostingInnArrival",
    "PubQuizTiebreak",
    "SpellingBeeFinal",
    "VicarageTea",
    "BikeShopRegular",
    "DeadDropCafe",
    "JumpgateCustoms",
    "MarshfordWillReading",
    "OrbitalCustomsHold",
    "RehearsalDinnerToast",
    "TollhouseStorm",
    "WatchtowerParley",
    "BoardingSchoolMidnight",
    "ElevatorStuck",
    "FireStationSupper",
    "HospitalNightCorridor",
    "MountainHutBlizzard",
    "OperaBoxGossip",
    "SleeperTrainSwap",
    "WeddingTableSeating",
    "BeekeeperSwarm",
    "ChessClubRivals",
    "FencingSalleLesson",
    "HarvestFairJudging",
    "LibraryBasementLeak",
    "NursingHomeBingo",
    "PawnshopMidnight",
    "WinterMarketPickpocket",
    "CastleSiegeCouncil",
    "DinerGraveyardShift",
    "FlowerShopDelivery",
    "HotAirBalloonLaunch",
    "LanternFestivalLost",
    "PlanetariumDate",
    "SchoolPlayDressRehearsal",
    "WhalingShipMutiny",
    "BlindDateBistro",
    "CampusRadioLive",
    "FarmersMarketFeud",
    "HedgeMazeParty",
    "MoonbaseShiftChange",
    "PotteryClassMishap",
    "SkiLiftBreakdown",
    "VillageCricketTea",
    "BakeOffTentFinal",
    "CarnivalFortuneTeller",
    "EscapeRoomPanic",
    "HospitalNightRounds",
    "MountainHutStorm",
    "PirateShipParley",
    "SleeperTrainBorder",
    "ZooKeeperNightShift",
    "BoxingGymSparring",
    "CanalLockKeeper",
    "DogShowRing",
    "GlassblowerWorkshop",
    "IslandPostOffice",
    "NightMarketNoodleStall",
    "RecordShopSaturday",
    "WindfarmBoatTransfer",
)


def sealed_scenes(batch: Iterable[str]) -> list[str]:
    """The sealed scenes of one batch: every second one in alphabetical order, from the second."""
    return sorted(set(batch))[1::2]


def is_sealed(name: str) -> bool:
    """Whether ``name`` is one of the sealed PDNC dev novels or sealed scenes."""
    return name in SEALED_PDNC_DEV or name in SEALED_SCENES
