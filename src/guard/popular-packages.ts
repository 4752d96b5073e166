/**
 * Names typosquatters aim at: some of the most depended-upon packages of each registry, written
 * down by hand from their well-known top lists (no download, no network). A name close to one of
 * these, but not one of them, is worth a second look before it is installed. The list need not be
 * complete: each entry widens the net, and a miss only means one signal fewer.
 */

function words(text: string): ReadonlySet<string> {
  return new Set(text.split(/\s+/).filter(Boolean));
}

export const POPULAR_NPM = words(`
lodash react react-dom express axios chalk commander debug moment uuid request async bluebird
underscore vue jquery typescript webpack babel-core @babel/core @babel/preset-env @babel/runtime
@babel/cli eslint prettier jest mocha chai sinon jasmine karma ava tap vitest cypress playwright
puppeteer yargs minimist glob rimraf mkdirp fs-extra semver dotenv cors body-parser cookie-parser
morgan helmet jsonwebtoken bcrypt bcryptjs passport mongoose mongodb mysql mysql2 pg sequelize
sqlite3 redis ioredis knex typeorm prisma @prisma/client graphql apollo-server @apollo/client
socket.io socket.io-client ws node-fetch cross-fetch isomorphic-fetch superagent got ky cheerio
jsdom classnames prop-types redux react-redux @reduxjs/toolkit mobx zustand immer rxjs ramda
immutable date-fns dayjs luxon moment-timezone numeral validator joi yup zod ajv ajv-formats
inquirer ora cli-progress boxen figlet colors kleur picocolors ansi-styles strip-ansi supports-color
has-flag chokidar nodemon pm2 concurrently cross-env npm-run-all shelljs execa cross-spawn which
open opn ncp shx serve http-server live-server browser-sync next nuxt gatsby @angular/core
@angular/common @angular/cli svelte preact solid-js styled-components @emotion/react @emotion/styled
tailwindcss postcss autoprefixer sass node-sass less stylus css-loader style-loader sass-loader
file-loader url-loader babel-loader ts-loader html-webpack-plugin mini-css-extract-plugin
webpack-cli webpack-dev-server webpack-merge terser uglify-js rollup vite esbuild parcel gulp grunt
browserify core-js regenerator-runtime tslib @types/node @types/react @types/react-dom @types/jest
@types/express @types/lodash ts-node tsx ts-jest nyc c8 istanbul supertest nock msw qs query-string
querystring path-to-regexp mime mime-types content-type iconv-lite safe-buffer buffer
readable-stream through2 stream-browserify events util inherits lru-cache node-cache memory-cache
keyv cacache handlebars ejs pug mustache nunjucks marked markdown-it highlight.js prismjs xml2js
fast-xml-parser js-yaml yaml toml ini json5 csv-parse papaparse sharp jimp canvas multer formidable
busboy form-data archiver adm-zip jszip tar nodemailer twilio stripe aws-sdk @aws-sdk/client-s3
firebase firebase-admin @google-cloud/storage googleapis @octokit/rest @sentry/node winston pino
bunyan log4js loglevel chalk-animation figures cli-table cli-table3 table electron electron-builder
react-native expo react-router react-router-dom history @testing-library/react
@testing-library/jest-dom enzyme storybook @storybook/react eslint-plugin-react eslint-plugin-import
eslint-config-airbnb eslint-config-prettier eslint-plugin-prettier @typescript-eslint/parser
@typescript-eslint/eslint-plugin husky lint-staged commitizen standard-version semantic-release
lerna nx turbo bootstrap antd @mui/material material-ui @material-ui/core chart.js d3 three leaflet
crypto-js bn.js ethers web3 big.js decimal.js bignumber.js color tinycolor2 nanoid shortid cuid
deepmerge deep-equal fast-deep-equal object-assign clone lodash.merge lodash.get lodash.set
lodash.debounce lodash.clonedeep lodash.isequal ms escape-string-regexp camelcase slugify pluralize
string-width wrap-ansi cli-cursor log-update listr listr2 enquirer prompts meow oclif dotenv-expand
config convict nconf rc cosmiconfig http-proxy http-proxy-middleware express-session connect-redis
koa koa-router @koa/router fastify hapi @hapi/hapi restify sails loopback @nestjs/core
@nestjs/common graphql-tag apollo-client vuex pinia vue-router @vue/cli angular source-map
source-map-support micromatch minimatch picomatch fast-glob globby anymatch braces fill-range
is-glob is-number kind-of isobject
`);

/** PyPI names in their normalised form (PEP 503: lower case, `-` for runs of `-`, `_`, `.`). */
export const POPULAR_PYPI = words(`
requests urllib3 numpy pandas scipy matplotlib seaborn scikit-learn tensorflow torch torchvision
keras flask django fastapi uvicorn gunicorn starlette pydantic sqlalchemy alembic psycopg2
psycopg2-binary pymysql mysqlclient redis celery kombu boto3 botocore awscli s3transfer six
setuptools wheel pip virtualenv certifi idna charset-normalizer chardet python-dateutil pytz tzdata
pyyaml jinja2 markupsafe click itsdangerous werkzeug attrs packaging pyparsing cryptography cffi
pycparser pyopenssl rsa pyasn1 jmespath colorama tqdm rich typer pytest pytest-cov pytest-mock
pytest-asyncio coverage tox nox mock hypothesis black flake8 pylint mypy isort autopep8 yapf ruff
pre-commit bandit pillow opencv-python imageio scikit-image beautifulsoup4 lxml html5lib soupsieve
selenium scrapy httpx aiohttp websockets grpcio protobuf google-api-python-client google-auth
google-cloud-storage azure-core azure-storage-blob openai anthropic transformers tokenizers datasets
huggingface-hub accelerate sentencepiece nltk spacy gensim xgboost lightgbm catboost statsmodels
sympy networkx plotly bokeh dash streamlit gradio jupyter notebook ipython ipykernel jupyterlab
nbformat nbconvert docutils sphinx mkdocs mkdocs-material markdown pygments paramiko fabric ansible
pexpect psutil docker kubernetes simplejson ujson orjson msgpack toml tomli tomlkit filelock
platformdirs appdirs decorator wrapt typing-extensions importlib-metadata zipp more-itertools pyjwt
oauthlib requests-oauthlib httplib2 python-dotenv environs marshmallow cerberus jsonschema
fastjsonschema arrow pendulum dateparser babel sqlparse peewee pymongo motor elasticsearch
cassandra-driver pyzmq tornado twisted gevent eventlet greenlet pyarrow polars dask numba cython
joblib openpyxl xlrd xlsxwriter python-docx reportlab pypdf2 pdfminer-six matplotlib-inline
traitlets prompt-toolkit wcwidth pycryptodome bcrypt passlib argon2-cffi sentry-sdk loguru structlog
uvloop anyio sniffio h11 httpcore poetry pipenv hatchling flit pdm build twine djangorestframework
django-cors-headers flask-sqlalchemy flask-login flask-cors flask-wtf wtforms pyserial pyusb
`);

export const POPULAR_CRATES = words(`
serde serde_json serde_derive tokio rand clap log env_logger anyhow thiserror regex lazy_static
once_cell chrono itertools futures reqwest hyper syn quote proc-macro2 libc bytes bitflags byteorder
cfg-if base64 uuid url time tracing tracing-subscriber async-trait parking_lot crossbeam rayon
num-traits memchr smallvec indexmap hashbrown sha2 hex toml serde_yaml tempfile walkdir glob nom
winapi windows-sys mio socket2 openssl rustls ring axum actix-web warp tower http sqlx diesel prost
tonic
`);
