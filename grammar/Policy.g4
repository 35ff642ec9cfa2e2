// The polc policy language. See docs/language.md for the reference.
// Expression rules are flat loops (`a (op a)*`), not left recursion, so a long
// chain such as `1 + 1 + ... + 1` gives a shallow parse tree.
grammar Policy;

file : decl* EOF ;

decl
  : policyHeader
  | enumDecl
  | inputDecl
  | paramDecl
  | setDecl
  | tableDecl
  | bracketsDecl
  | ruleDecl
  | functionDecl
  | accumulatorDecl
  | outputDecl
  | areaDecl
  ;

policyHeader : 'policy' STRING '{' headerField* '}' ;
headerField  : ident ':' (STRING | INT) ;

enumDecl : 'enum' ident '{' enumWord (',' enumWord)* ','? '}' cite? ;
enumWord : ident STRING? ;

inputDecl : 'input' ident 'key' ident ('of' ident 'by' ident)? ('order' 'by' ident)?
            '{' inputItem* '}' ;
inputItem : ident ':' type                     # FieldItem
          | 'require' expr 'message' STRING    # RequireItem
          ;

type : ident optional='?'? ;

paramDecl : 'param' ident ':' type '=' expr cite? ;

setDecl : 'set' ident ':' type '=' '{' ident (',' ident)* ','? '}' cite? ;

tableDecl
  : 'table' ident ':' type '->' tableValue '{' tableRow* '}' cite?                  # InlineTable
  | 'table' ident ':' type '->' tableValue '=' 'csv' STRING
    'key' ident 'value' ident cite?                                                 # CsvTable
  ;
tableValue  : type                                       # SingleValue
            | '{' column (',' column)* ','? '}'          # RecordValue
            ;
column      : ident ':' type ;
// A row may cite the clause its figures come from (shown by `polc explain` beside the lookup).
tableRow    : (tableKey (',' tableKey)* | 'else') '=>' expr (',' expr)* cite? ;
tableKey    : ident | INT ;

bracketsDecl : 'brackets' ident '{' bracketRow+ '}' cite? ;
bracketRow   : lower=bracketFigure '..' upper=bracketFigure? ':' rate=bracketRate ;
// A bound or a rate is a literal or the name of a parameter.
bracketFigure : number | ident ;
bracketRate  : PERCENT | ident ;
number       : INT | DECIMAL | WAN ;

ruleDecl : 'rule' ident ':' type '=' expr cite? exceptionClause* ;
exceptionClause : 'exception' ident? 'when' cond=expr '=' value=expr cite? ;

functionDecl : 'function' ident '(' (param (',' param)*)? ')' ':' type '=' expr cite? ;
param        : ident ':' type ;

accumulatorDecl
  : 'accumulator' ident ':' type ('by' key=expr)? '='
    (sum='sum' value=expr | count='count') ('when' cond=expr)? ('cap' cap=expr)? cite? ;

// `at year_end`: the person output computed after the person's last claim (docs/language.md §14).
outputDecl : 'output' ident 'for' ident ('at' stage=ident)? '{' outputColumn (',' outputColumn)* ','? '}' ;
// `fund "label"`: a money column paid out by a fund; `income "label"`: a money column a fund
// receives (contributions, subsidies). Reports total and balance them (polc diff, summary).
outputColumn : ident ('=' expr)? ('absent' absent=STRING)? (role=('fund' | 'income') label=STRING)? ;

// `area NAME "label"`: the declarations that follow, up to the next area, belong to this part of
// the notice (for grouping, e.g. in `polc diff`); it changes no meaning.
areaDecl : 'area' ident STRING ;

cite : 'cite' STRING ;

// ---------------------------------------------------------------- expressions
expr
  : 'let' ident '=' expr ';' expr                # LetExpr
  | 'if' expr 'then' expr 'else' expr            # IfExpr
  | disjunction                                  # PlainExpr
  ;
disjunction    : conjunction ('or' conjunction)* ;
conjunction    : negation ('and' negation)* ;
negation       : 'not' negation | comparison ;
comparison     : additive (compareOp additive | negated='not'? 'in' additive)? ;
compareOp      : '==' | '!=' | '<' | '<=' | '>' | '>=' ;
additive       : multiplicative (addOp multiplicative)* ;
addOp          : '+' | '-' ;
multiplicative : unary ('*' unary)* ;
unary          : '-' unary | postfix ;
postfix        : primary postfixOp* ;
postfixOp      : '.' ident                       # FieldOp
               | '[' expr ']'                    # IndexOp
               | unit=('days' | 'months' | 'years')  # UnitOp
               ;
primary
  : INT                                          # IntLit
  | DECIMAL                                      # DecimalLit
  | WAN                                          # WanLit
  | PERCENT                                      # PercentLit
  | DATE '..' DATE                               # PeriodLit
  | DATE                                         # DateLit
  | STRING                                       # StringLit
  | ('true' | 'false')                           # BoolLit
  | ident '(' (expr (',' expr)*)? ')'            # CallExpr
  | ident                                        # NameExpr
  | '(' expr ')'                                 # ParenExpr
  | '{' ident (',' ident)* ','? '}'              # SetLit
  | 'match' expr '{' matchArm+ '}'               # MatchExpr
  ;
matchArm : (ident (',' ident)* | 'else') '=>' expr ;

// Words that are keywords in one place only stay usable as names elsewhere.
ident : ID | 'key' | 'of' | 'by' | 'order' | 'value' | 'sum' | 'count' | 'cap' | 'csv'
      | 'message' | 'absent' | 'area' | 'fund' | 'income' | 'at' ;

// ---------------------------------------------------------------- tokens
DATE    : DIGIT DIGIT DIGIT DIGIT '-' DIGIT DIGIT '-' DIGIT DIGIT ;
PERCENT : DIGIT+ ('.' DIGIT+)? '%' ;
WAN     : DIGIT+ ('.' DIGIT+)? '万' ;
DECIMAL : DIGIT+ '.' DIGIT+ ;
INT     : DIGIT+ ;
STRING  : '"' (~["\\\r\n] | '\\' ["\\nt])* '"' ;
ID      : [a-zA-Z_] [a-zA-Z_0-9]* ;
fragment DIGIT : [0-9] ;

LINE_COMMENT : '//' ~[\r\n]* -> channel(HIDDEN) ;
WS           : [ \t\r\n\u000C\u00A0\u3000]+ -> channel(HIDDEN) ;
// Anything else becomes one token the parser rejects, so the lexer never fails silently.
UNKNOWN : . ;
