"""Given names that are the same name: nicknames and the same name across languages.

"Ted" is Theodore, "Bibi" is Benjamin, "John" is "Juan" is "Ivan"; a customer file holds
whichever the customer wrote. Groups are common knowledge (each line one name in several
languages and its usual short forms), matched on lower-case ASCII tokens. A pair found here
counts as a strong but not perfect token match.
"""

from __future__ import annotations

from sanctrace.screening.phonetic import phonetic_key

_GROUPS = (
    "john juan johann johannes jean giovanni ivan ioann jan hans jon sean joao jovan ivo",
    "theodore ted teddy theo fyodor fedor feodor teodor",
    "benjamin ben benny bibi binyamin veniamin",
    "william bill billy will wilhelm guillaume guillermo vilgelm",
    "robert bob bobby rob robbie roberto",
    "james jim jimmy jaime diego jacob jakob yakov iakov",
    "michael mike mikhail michel miguel michele mikael misha mykhailo",
    "alexander alex aleksandr alexandre alejandro alessandro sasha oleksandr aliaksandr sandro",
    "dmitry dmitri dmitrii dima dmytro",
    "vladimir volodymyr vova volodya uladzimir wladimir",
    "nicholas nick nikolai nikolay nicolas nicola mykola nikita",
    "peter pete pyotr petr pierre pedro pietro petro",
    "paul pavel pablo paolo pavlo",
    "joseph joe iosif jose giuseppe osip josef yosef",
    "george georgy georgii yuri yury yuriy jorge georg jurgen giorgi heorhiy",
    "stephen steven steve stepan stefan esteban stefano stepan",
    "andrew andy andrei andrey andre andres andrea andriy",
    "gregory greg grigory grigori hryhoriy gregor",
    "anthony tony antonio anton antoine",
    "catherine kate katie ekaterina yekaterina katya kateryna caterina",
    "elizabeth liz beth elizaveta isabel elisabeth",
    "margaret maggie peggy margarita",
    "richard rick dick ricardo riccardo",
    "thomas tom tommy tomas foma",
    "edward ed eddie ted eduard eduardo",
    "charles charlie chuck carlos karl carl carlo",
    "francis frank francisco francesco franz frantisek",
    "henry harry heinrich enrique enrico henri genrikh",
    "lawrence larry lorenzo laurent",
    "samuel sam samuil",
    "daniel dan danny daniil danylo",
    "matthew matt matvei matvey mateo matteo mathieu",
    "mohammed muhammad mohammad mohamed muhammed mohamad mehmet",
    "yusuf yousef youssef joseph",
    "ibrahim abraham avraham",
    "sergei sergey serhiy sergio serge",
    "evgeny yevgeny evgeni yevgeniy eugene jewgeni",
    "anatoly anatolii anatoliy",
    "mary maria marie mariya masha",
    "ann anna anne annie hanna",
    "helen elena yelena olena helena",
    "olga olha",
    "natalia natalya nataliya natasha natalie",
    "tatiana tatyana tetiana tanya",
    "boris borys",
    "igor ihor",
    "oleg oleh",
    "alexei aleksei alexey aleksey oleksiy",
    "yaroslav jaroslav",
    "vasily vasiliy vasyl",
)

_INDEX: dict[str, frozenset[int]] = {}
for _number, _line in enumerate(_GROUPS):
    for _name in _line.split():
        for _form in {_name, phonetic_key(_name)}:
            _INDEX[_form] = _INDEX.get(_form, frozenset()) | {_number}


def same_given_name(a: str, b: str) -> bool:
    """Whether two lower-case ASCII tokens are forms of one given name."""
    ga = _INDEX.get(a) or _INDEX.get(phonetic_key(a))
    gb = _INDEX.get(b) or _INDEX.get(phonetic_key(b))
    return ga is not None and gb is not None and not ga.isdisjoint(gb)
