/** What each kind of sales unit sells, in minor units of its currency, plus the words payers and shops use. */
import type { Country } from "../generated/prisma/enums";
import type { UnitProfile } from "./catalog";

export interface Product {
  name: string;
  amount: number;
}

export interface ProfileData {
  products: Product[];
  /** Items per purchase, inclusive. */
  basket: [number, number];
  /** Added once per purchase when the goods are shipped and the basket is below `freeShippingFrom`. */
  shipping?: { amount: number; freeShippingFrom: number; label: string };
  /** A rare big order (a company buying a fleet of bikes), amount and weight. */
  bulk?: { product: Product; quantity: [number, number]; probability: number };
  referencePrefix: "order" | "pos" | "abo";
}

export const PROFILES: Record<UnitProfile, ProfileData> = {
  cafe: {
    products: [
      { name: "Filterkaffe", amount: 3900 },
      { name: "Cappuccino", amount: 5200 },
      { name: "Caffè latte", amount: 5500 },
      { name: "Chai latte", amount: 5900 },
      { name: "Kanelbolle", amount: 4200 },
      { name: "Skolebolle", amount: 4500 },
      { name: "Vaffel med brunost", amount: 4900 },
      { name: "Suppe med brød", amount: 12900 },
      { name: "Kaffebønner 250 g", amount: 12900 },
    ],
    basket: [1, 3],
    referencePrefix: "pos",
  },
  "coffee-shop-online": {
    products: [
      { name: "Kaffebønner Sidamo 1 kg", amount: 34900 },
      { name: "Espresso Fjordblend 500 g", amount: 17900 },
      { name: "Filterkaffe Hardanger 250 g", amount: 9900 },
      { name: "Kaffekvern Hario Skerton", amount: 54900 },
      { name: "Aeropress", amount: 44900 },
      { name: "Moccamaster KBG Select", amount: 299900 },
      { name: "Gavekort", amount: 50000 },
    ],
    basket: [1, 3],
    shipping: { amount: 7900, freeShippingFrom: 60000, label: "frakt" },
    referencePrefix: "order",
  },
  "coffee-subscription": {
    products: [
      { name: "Kaffeabonnement 2 poser per måned", amount: 29900 },
      { name: "Kaffeabonnement 4 poser per måned", amount: 54900 },
      { name: "Gaveabonnement 3 måneder", amount: 89700 },
    ],
    basket: [1, 1],
    referencePrefix: "abo",
  },
  "bike-webshop": {
    products: [
      { name: "Cykelhjelm Urban", amount: 49900 },
      { name: "Cykellås Abus Granit", amount: 89900 },
      { name: "Cykellygter sæt", amount: 24900 },
      { name: "Cykeltaske vandtæt", amount: 59900 },
      { name: "Bycykel 7 gear", amount: 549900 },
      { name: "El-cykel Hygge E7", amount: 1799900 },
      { name: "Ladcykel Christiania", amount: 2499500 },
    ],
    basket: [1, 2],
    shipping: { amount: 4900, freeShippingFrom: 50000, label: "fragt" },
    bulk: { product: { name: "El-cykel Hygge E7 (firmaordre)", amount: 1799900 }, quantity: [5, 30], probability: 0.004 },
    referencePrefix: "order",
  },
  "bike-store": {
    products: [
      { name: "Service eftersyn", amount: 49900 },
      { name: "Skift af slange", amount: 14900 },
      { name: "Ny kæde", amount: 29900 },
      { name: "Bremseklodser", amount: 19900 },
      { name: "Bycykel 7 gear", amount: 549900 },
      { name: "Cykelhjelm Urban", amount: 49900 },
    ],
    basket: [1, 2],
    referencePrefix: "pos",
  },
  "sauna-webshop": {
    products: [
      { name: "Kiuas Harvia Cilindro", amount: 89900 },
      { name: "Löylykauha", amount: 2490 },
      { name: "Saunatuoksu Koivu", amount: 1290 },
      { name: "Saunapyyhe", amount: 3990 },
      { name: "Saunavalaisin", amount: 14900 },
      { name: "Ulkosauna Tynnyri", amount: 690000 },
    ],
    basket: [1, 3],
    shipping: { amount: 990, freeShippingFrom: 10000, label: "toimitus" },
    referencePrefix: "order",
  },
  "sauna-store": {
    products: [
      { name: "Saunavuoro 2 h", amount: 3500 },
      { name: "Pyyhevuokra", amount: 500 },
      { name: "Saunavihta", amount: 1290 },
      { name: "Lahjakortti", amount: 5000 },
      { name: "Kiuaskivet 20 kg", amount: 3990 },
    ],
    basket: [1, 3],
    referencePrefix: "pos",
  },
};

export const MESSAGES: Record<Exclude<Country, "SE">, string[]> = {
  NO: ["Gave til pappa, ikke legg ved kvittering", "Takk for god service!", "Kan dere pakke det inn?", "Bursdagsgave til Kari"],
  DK: ["Kan den leveres efter kl. 16?", "Tak for hjælpen!", "Gave til min søster", "Ring venligst før levering"],
  FI: ["Kiitos nopeasta toimituksesta!", "Lahja isälle", "Toimitus mieluiten perjantaina", "Kiitos!"],
};

export const SHIPPING: Record<Exclude<Country, "SE">, { methods: string[]; addresses: string[] }> = {
  NO: {
    methods: ["Posten - Pakke i postkassen", "Posten - Hentested", "Helthjem - Hjemlevering"],
    addresses: ["Kongens gate 14, 7011 Trondheim", "Storgata 23, 0184 Oslo", "Strandkaien 6, 5013 Bergen", "Løkkeveien 10, 4008 Stavanger", "Dronningens gate 2, 9008 Tromsø"],
  },
  DK: {
    methods: ["PostNord - Pakkeshop", "GLS - Hjemmelevering", "Bring - Pakkeboks"],
    addresses: ["Vesterbrogade 45, 1620 København V", "Åboulevarden 18, 8000 Aarhus C", "Vestergade 3, 5000 Odense C", "Boulevarden 7, 9000 Aalborg"],
  },
  FI: {
    methods: ["Posti - Pakettiautomaatti", "Matkahuolto - Lähellä-paketti", "DB Schenker - Noutopiste"],
    addresses: ["Aleksanterinkatu 15, 00100 Helsinki", "Hämeenkatu 9, 33100 Tampere", "Yliopistonkatu 4, 20100 Turku", "Kauppakatu 21, 40100 Jyväskylä"],
  },
};

export const EMAIL_DOMAINS: Record<Country, string[]> = {
  NO: ["gmail.com", "online.no", "hotmail.com", "outlook.com"],
  DK: ["gmail.com", "mail.dk", "hotmail.com", "outlook.dk"],
  FI: ["gmail.com", "kolumbus.fi", "hotmail.com", "outlook.com"],
  SE: ["gmail.com", "telia.com", "hotmail.com", "outlook.com"],
};
