"""Paragraphs in ten languages, written for this project, to measure language detection on.

Each is everyday prose of 20 to 40 words, the range where a detector has the least to go on.
Related languages are there on purpose: Spanish and Portuguese, Dutch and German, Swedish.
"""

from __future__ import annotations

PARAGRAPHS: dict[str, tuple[str, ...]] = {
    "en": (
        "The library on the corner of our street opens early on Saturdays, and by nine o'clock the reading "
        "room is already full of students preparing for their exams and neighbours reading the papers.",
        "After three days of heavy rain the river finally burst its banks, flooding the lower fields and "
        "forcing the farmers to move their cattle to higher ground before the water reached the barns.",
        "If you would like to change your delivery address, please sign in to your account, open the list "
        "of recent orders and choose the shipment you want to edit before you confirm.",
        "She had never been particularly fond of trains, but the long journey through the mountains gave "
        "her time to think about what she really wanted to do with the rest of her life.",
        "Our quarterly results show that sales grew steadily in every region, although higher transport "
        "costs and the weaker currency reduced the margin more than the board had expected.",
    ),
    "de": (
        "Die Bibliothek an der Ecke unserer Straße öffnet samstags schon früh, und um neun Uhr ist der "
        "Lesesaal bereits voller Studenten, die sich auf ihre Prüfungen vorbereiten.",
        "Nach drei Tagen Dauerregen trat der Fluss schließlich über die Ufer, überschwemmte die tiefer "
        "gelegenen Felder und zwang die Bauern, ihr Vieh auf höher gelegene Weiden zu treiben.",
        "Wenn Sie Ihre Lieferadresse ändern möchten, melden Sie sich bitte in Ihrem Konto an, öffnen Sie "
        "die Liste der letzten Bestellungen und wählen Sie die gewünschte Sendung aus.",
        "Sie war nie eine große Freundin von Zugfahrten gewesen, aber die lange Reise durch die Berge gab "
        "ihr endlich Zeit, über ihre Zukunft und ihre Familie nachzudenken.",
        "Unsere Quartalszahlen zeigen, dass der Umsatz in allen Regionen gestiegen ist, obwohl höhere "
        "Transportkosten und der schwächere Euro die Gewinnspanne stärker belastet haben als erwartet.",
    ),
    "fr": (
        "La bibliothèque au coin de notre rue ouvre tôt le samedi, et dès neuf heures la salle de lecture "
        "est déjà pleine d'étudiants qui préparent leurs examens de fin d'année.",
        "Après trois jours de pluie continue, la rivière a fini par sortir de son lit, inondant les champs "
        "les plus bas et obligeant les agriculteurs à déplacer leurs troupeaux.",
        "Si vous souhaitez modifier votre adresse de livraison, connectez-vous à votre compte, ouvrez la "
        "liste de vos dernières commandes et choisissez l'envoi que vous voulez changer.",
        "Elle n'avait jamais beaucoup aimé les voyages en train, mais ce long trajet à travers les "
        "montagnes lui a enfin laissé le temps de réfléchir à son avenir et à sa famille.",
        "Nos résultats trimestriels montrent que les ventes ont progressé dans toutes les régions, même si "
        "la hausse des coûts de transport a réduit notre marge plus que prévu.",
    ),
    "es": (
        "La biblioteca de la esquina de nuestra calle abre temprano los sábados, y a las nueve la sala de "
        "lectura ya está llena de estudiantes que preparan sus exámenes finales.",
        "Después de tres días de lluvia intensa, el río se desbordó por fin, inundó los campos más bajos y "
        "obligó a los campesinos a llevar su ganado a las colinas.",
        "Si desea cambiar su dirección de entrega, inicie sesión en su cuenta, abra la lista de pedidos "
        "recientes y seleccione el envío que quiere modificar antes de confirmar.",
        "Nunca le habían gustado mucho los viajes en tren, pero aquel largo trayecto por las montañas le "
        "dio por fin tiempo para pensar en lo que quería hacer con su vida.",
        "Los resultados del trimestre muestran que las ventas crecieron en todas las regiones, aunque el "
        "aumento de los costes de transporte redujo el margen más de lo esperado.",
    ),
    "pt": (
        "A biblioteca da esquina da nossa rua abre cedo aos sábados, e às nove horas a sala de leitura já "
        "está cheia de estudantes que se preparam para os exames finais.",
        "Depois de três dias de chuva forte, o rio acabou por transbordar, inundou os campos mais baixos e "
        "obrigou os agricultores a levar o gado para terrenos mais altos.",
        "Se quiser alterar o seu endereço de entrega, inicie sessão na sua conta, abra a lista de "
        "encomendas recentes e escolha o envio que pretende modificar antes de confirmar.",
        "Ela nunca tinha gostado muito de viajar de comboio, mas aquela longa viagem pelas montanhas "
        "deu-lhe finalmente tempo para pensar no que queria fazer da vida.",
        "Os resultados do trimestre mostram que as vendas cresceram em todas as regiões, embora o aumento "
        "dos custos de transporte tenha reduzido a margem mais do que se esperava.",
    ),
    "it": (
        "La biblioteca all'angolo della nostra strada apre presto il sabato, e alle nove la sala di lettura "
        "è già piena di studenti che si preparano per gli esami di fine anno.",
        "Dopo tre giorni di pioggia battente il fiume è finalmente straripato, ha allagato i campi più "
        "bassi e ha costretto i contadini a portare il bestiame sulle colline.",
        "Se desidera cambiare l'indirizzo di consegna, acceda al suo account, apra l'elenco degli ordini "
        "recenti e scelga la spedizione che vuole modificare prima di confermare.",
        "Non le erano mai piaciuti molto i viaggi in treno, ma quel lungo tragitto tra le montagne le ha "
        "finalmente dato il tempo di pensare a cosa voleva fare della sua vita.",
        "I risultati del trimestre mostrano che le vendite sono cresciute in tutte le regioni, anche se "
        "l'aumento dei costi di trasporto ha ridotto il margine più del previsto.",
    ),
    "nl": (
        "De bibliotheek op de hoek van onze straat gaat op zaterdag vroeg open, en om negen uur zit de "
        "leeszaal al vol met studenten die zich voorbereiden op hun examens.",
        "Na drie dagen van zware regen trad de rivier eindelijk buiten haar oevers, waardoor de lage velden "
        "onder water kwamen te staan en de boeren hun vee moesten verplaatsen.",
        "Als u uw afleveradres wilt wijzigen, log dan in op uw account, open de lijst met recente "
        "bestellingen en kies de zending die u wilt aanpassen voordat u bevestigt.",
        "Ze had nooit echt van treinreizen gehouden, maar de lange rit door de bergen gaf haar eindelijk de "
        "tijd om na te denken over wat ze met haar leven wilde doen.",
        "Onze kwartaalcijfers laten zien dat de verkoop in alle regio's is gestegen, hoewel hogere "
        "transportkosten en de zwakkere euro de winstmarge meer hebben gedrukt dan verwacht.",
    ),
    "sv": (
        "Biblioteket på hörnet av vår gata öppnar tidigt på lördagar, och redan klockan nio är läsesalen "
        "full av studenter som förbereder sig inför sina tentor.",
        "Efter tre dagar av kraftigt regn svämmade floden till slut över sina bräddar, översvämmade de "
        "låglänta åkrarna och tvingade bönderna att flytta sina kor till högre mark.",
        "Om du vill ändra din leveransadress loggar du in på ditt konto, öppnar listan över dina senaste "
        "beställningar och väljer den försändelse som du vill ändra.",
        "Hon hade aldrig tyckt särskilt mycket om att resa med tåg, men den långa resan genom fjällen gav "
        "henne äntligen tid att tänka på vad hon ville göra med sitt liv.",
        "Kvartalsrapporten visar att försäljningen ökade i alla regioner, även om högre transportkostnader "
        "och den svagare kronan minskade vinstmarginalen mer än styrelsen hade räknat med.",
    ),
    "pl": (
        "Biblioteka na rogu naszej ulicy w soboty otwiera się wcześnie, a już o dziewiątej czytelnia jest "
        "pełna studentów, którzy przygotowują się do egzaminów końcowych.",
        "Po trzech dniach ulewnego deszczu rzeka w końcu wystąpiła z brzegów, zalała niżej położone pola i "
        "zmusiła rolników do przeprowadzenia bydła na wyżej położone pastwiska.",
        "Jeśli chcesz zmienić adres dostawy, zaloguj się na swoje konto, otwórz listę ostatnich zamówień i "
        "wybierz przesyłkę, którą chcesz zmienić przed potwierdzeniem.",
        "Nigdy nie lubiła podróży pociągiem, ale ta długa jazda przez góry dała jej wreszcie czas, żeby "
        "zastanowić się, co naprawdę chce zrobić ze swoim życiem.",
        "Wyniki kwartalne pokazują, że sprzedaż wzrosła we wszystkich regionach, chociaż wyższe koszty "
        "transportu i słabszy złoty obniżyły marżę bardziej, niż zakładał zarząd.",
    ),
    "ru": (
        "Библиотека на углу нашей улицы по субботам открывается рано, и уже к девяти часам читальный зал "
        "полон студентов, которые готовятся к выпускным экзаменам.",
        "После трёх дней проливного дождя река наконец вышла из берегов, затопила низинные поля и вынудила "
        "фермеров перегнать скот на более высокие пастбища.",
        "Если вы хотите изменить адрес доставки, войдите в свою учётную запись, откройте список последних "
        "заказов и выберите отправление, которое нужно изменить.",
        "Она никогда особенно не любила ездить на поезде, но долгая дорога через горы наконец дала ей "
        "время подумать о том, чего она на самом деле хочет от жизни.",
        "Квартальные результаты показывают, что продажи выросли во всех регионах, хотя рост транспортных "
        "расходов и слабый рубль снизили прибыль сильнее, чем ожидал совет директоров.",
    ),
}
